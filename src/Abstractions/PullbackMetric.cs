using static TorchSharp.torch;

namespace ManifoldKit;

/// <summary>The pull-back metric G = JᵀJ of any differentiable map, by autograd.</summary>
public static class PullbackMetric
{
    /// <summary>
    /// Computes G = JᵀJ of <paramref name="map"/> at each code, with one backward pass per ambient
    /// coordinate. Batch rows must be independent (true of any map applied row by row).
    /// </summary>
    /// <param name="map">A map from <c>[..., n]</c> to <c>[..., m]</c>.</param>
    /// <param name="hidden">Tensor of shape <c>[..., n]</c>; not modified.</param>
    /// <param name="createGraph">Keep the graph so that G itself can be differentiated.</param>
    /// <returns>Tensor of shape <c>[..., n, n]</c>.</returns>
    public static Tensor ByAutograd(Func<Tensor, Tensor> map, Tensor hidden, bool createGraph = false)
    {
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        var input = hidden.detach().requires_grad_(true);
        var output = map(input);
        var ambientDim = output.shape[^1];
        var rows = new Tensor[ambientDim];
        for (long i = 0; i < ambientDim; i++)
        {
            var component = output.select(-1, i).sum();
            rows[i] = autograd.grad([component], [input], retain_graph: true, create_graph: createGraph)[0];
        }
        var jacobian = stack(rows, dim: -2);                     // [..., m, n]
        return jacobian.transpose(-1, -2).matmul(jacobian).MoveToOuterDisposeScope();
    }
}
