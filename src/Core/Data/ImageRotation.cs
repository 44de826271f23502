using static TorchSharp.torch;

namespace ManifoldKit.Data;

/// <summary>
/// Rotation of flat square images (<c>data.rotate</c>): zero padding so that no pixel of the item is cut,
/// then bilinear resampling about the centre, batched, in float32.
/// </summary>
public static class ImageRotation
{
    /// <summary>The side s of a square image of <paramref name="dim"/> values, or null when D is not s².</summary>
    public static int? Side(long dim)
    {
        var side = (int)Math.Round(Math.Sqrt(dim));
        return dim > 0 && (long)side * side == dim ? side : null;
    }

    /// <summary>
    /// ⌈s·√2⌉ (28 → 40), the diagonal, so any rotation of the s × s square fits; one more when that
    /// would pad the sides unevenly, so the image stays centred.
    /// </summary>
    public static int PaddedSide(int side)
    {
        var padded = (int)Math.Ceiling(side * Math.Sqrt(2) - 1e-9);
        return (padded - side) % 2 == 0 ? padded : padded + 1;
    }

    /// <summary>Flat s × s images <c>[B, s²]</c> centred in zeros, <c>[B, P²]</c> with P = <see cref="PaddedSide"/>.</summary>
    public static Tensor Pad(Tensor x, int side)
    {
        var margin = (PaddedSide(side) - side) / 2;
        var images = x.reshape(x.shape[0], side, side);
        return nn.functional.pad(images, [margin, margin, margin, margin]).reshape(x.shape[0], -1);
    }

    /// <summary>
    /// Each flat square image <c>[B, P²]</c> turned by its angle <c>[B]</c> (radians) about the centre,
    /// bilinear, zeros outside. In row/column terms a positive angle turns clockwise: π/2 maps pixel
    /// (r, c) to (c, P−1−r), the transpose with its columns flipped.
    /// </summary>
    public static Tensor Rotate(Tensor x, Tensor angles)
    {
        using var scope = NewDisposeScope();
        var side = Side(x.shape[1]) ?? throw new ArgumentException($"images must be square; got {x.shape[1]} values each.");
        var images = x.to_type(ScalarType.Float32).reshape(x.shape[0], 1, side, side);
        var (cos, sin) = (angles.to_type(ScalarType.Float32).cos(), angles.to_type(ScalarType.Float32).sin());
        var zero = zeros_like(cos);
        // affine_grid maps each output point to where it reads the input: R(−θ) reads back what R(θ) moved there.
        var theta = stack([stack([cos, sin, zero], 1), stack([-sin, cos, zero], 1)], 1);
        var grid = nn.functional.affine_grid(theta, [x.shape[0], 1, side, side], align_corners: false);
        var turned = nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return turned.reshape(x.shape[0], -1).MoveToOuterDisposeScope();
    }
}
