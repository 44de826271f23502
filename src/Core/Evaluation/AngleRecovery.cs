using ManifoldKit.Data;
using ManifoldKit.Models;
using ManifoldKit.Training;
using static TorchSharp.torch;

namespace ManifoldKit.Evaluation;

/// <summary>
/// How well a circle factor of the latent recovers a known angle of the data (rotated images carry
/// theirs as the factor <c>angle</c>): the codes' angle θ̂ = atan2 of the factor's decoder input at the
/// posterior mean, set against the true angle θ up to the symmetries a latent cannot see, a
/// reflection s = ±1 and an offset c.
/// </summary>
public static class AngleRecovery
{
    /// <summary>
    /// max over s = ±1 and c of mean cos(θ̂ − sθ − c), which is the mean resultant length |mean e^{i(θ̂ − sθ)}|
    /// maximised over s: 1 exactly when θ̂ = sθ + c for every point, about 1/√N for unrelated angles.
    /// </summary>
    public static double Alignment(Tensor codeAngle, Tensor trueAngle)
    {
        using var scope = NewDisposeScope();
        var (a, b) = (codeAngle.to_type(ScalarType.Float64), trueAngle.to_type(ScalarType.Float64));
        double Resultant(Tensor d) => Math.Sqrt(Math.Pow(d.cos().mean().item<double>(), 2) + Math.Pow(d.sin().mean().item<double>(), 2));
        return Math.Max(Resultant(a - b), Resultant(a + b));
    }

    /// <summary>
    /// The alignment of the first circle factor (a 1-manifold with a 2-D decoder input) with the
    /// data's <see cref="DataSources.RotationFactor"/> on the first <paramref name="points"/> test points;
    /// null when the data has no such factor or the latent no circle factor.
    /// </summary>
    public static double? Measure(VariationalAutoencoder model, IDataSource data, long points)
    {
        var angle = data.FactorNames.ToList().IndexOf(DataSources.RotationFactor);
        var offset = 0;
        int? circle = null;
        foreach (var factor in model.Latent.Factors)
        {
            if (factor.ManifoldDim == 1 && factor.DecoderInputDim == 2) { circle = offset; break; }
            offset += factor.DecoderInputDim;
        }
        if (angle < 0 || circle is not { } start) return null;
        return model.Evaluating(() =>
        {
            using var scope = NewDisposeScope();
            var parts = new List<Tensor>();
            var (x, factors) = data.TestSet(points);
            var device = model.Device;
            for (long i = 0; i < x.shape[0]; i += 1000)
            {
                var batch = ComputeDevice.Move(x.narrow(0, i, Math.Min(1000, x.shape[0] - i)), device);
                var codes = model.DecoderInput(batch, model.Encode(batch).Mean.unsqueeze(0))[0].narrow(-1, start, 2);
                parts.Add(ComputeDevice.Move(atan2(codes.select(-1, 1), codes.select(-1, 0)), CPU));   // beside the CPU factors
            }
            return Alignment(cat(parts, 0), factors.select(-1, angle));
        });
    }
}
