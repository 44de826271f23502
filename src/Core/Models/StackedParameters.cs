using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// The parameters of several modules of one shape, each stacked on a leading member axis G: copies to
/// train (one optimiser over the stack), then <see cref="CopyTo"/> writes them back into the members.
/// </summary>
public sealed class StackedParameters : IDisposable
{
    private readonly Parameter[] stacked;
    private readonly Dictionary<IntPtr, int> position;

    /// <summary>Stacks the members' current values, in their <c>parameters()</c> order, on <paramref name="device"/> (theirs when null).</summary>
    /// <exception cref="ArgumentException">No members, or members of different shapes.</exception>
    public StackedParameters(IReadOnlyList<nn.Module> members, Device? device = null)
    {
        if (members.Count == 0) throw new ArgumentException("a stack needs at least one model", nameof(members));
        var perMember = members.Select(m => m.parameters().ToArray()).ToArray();
        if (perMember.Any(p => p.Length != perMember[0].Length || p.Zip(perMember[0]).Any(pair => !pair.First.shape.SequenceEqual(pair.Second.shape))))
            throw new ArgumentException("the models of a stack must have the same architecture", nameof(members));
        using (no_grad())
            stacked = [.. perMember[0].Select((_, i) =>
            {
                var values = stack(perMember.Select(p => p[i].detach()), 0);
                return new Parameter(device is null ? values : values.to(device));
            })];
        // Layers are found by their tensors among the first member's parameters.
        position = perMember[0].Select((p, i) => (p.Handle, i)).ToDictionary(e => e.Handle, e => e.i);
    }

    /// <summary>Models in the stack.</summary>
    public int Members => (int)stacked[0].shape[0];

    /// <summary>The stacked parameters, <c>[G, …]</c> each, in the order of a member's <c>parameters()</c>.</summary>
    public IReadOnlyList<Parameter> Parameters => stacked;

    /// <summary>The stack of the first member's <paramref name="parameter"/>.</summary>
    public Parameter Of(Tensor parameter) => stacked[position[parameter.Handle]];

    /// <summary>The stacked weight and bias of the first member's <paramref name="layer"/>.</summary>
    public (Tensor Weight, Tensor Bias) Of(Linear layer) => (Of(layer.weight!), Of(layer.bias!));

    /// <summary>Writes the stacked values back into the members (the same ones, in the same order, as were stacked).</summary>
    public void CopyTo(IReadOnlyList<nn.Module> members)
    {
        using var noGrad = no_grad();
        for (var m = 0; m < members.Count; m++)
        {
            var target = members[m].parameters().ToArray();
            for (var i = 0; i < stacked.Length; i++) target[i].copy_(stacked[i][m]);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var parameter in stacked) parameter.Dispose();
    }
}
