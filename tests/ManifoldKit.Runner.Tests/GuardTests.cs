using System.Runtime.InteropServices;
using ManifoldKit.Experiments;
using ManifoldKit.Runner.Commands;
using ManifoldKit.Runner.Configuration;
using ManifoldKit.Training;
using Xunit;

namespace ManifoldKit.Runner.Tests;

/// <summary>The one map from errors to exit codes and lines (docs/reliability.md), case by case.</summary>
public sealed class GuardTests
{
    public static TheoryData<Exception, int, string> Cases { get; } = new()
    {
        { new ConfigException("exp.yaml:3: bad"), 2, "exp.yaml:3: bad" },
        { new ExperimentException("latent.dim", "too big"), 2, "latent.dim: too big" },
        { new ManifoldKit.Runner.Plugins.CatalogException("unknown manifold 'x'."), 2, "unknown manifold 'x'." },
        { new IOException("No space left on device : '/runs/a'"), 3, "cannot read or write: No space left on device : '/runs/a'" },
        { new UnauthorizedAccessException("Access to the path '/x' is denied."), 3, "cannot read or write: Access to the path '/x' is denied." },
        { new RunFileException("/r/checkpoint/model.bin", "is truncated"), 4, "/r/checkpoint/model.bin is truncated; the run directory is damaged: start afresh with another --out (or delete it)" },
        { new OutOfMemoryException("Insufficient memory."), 5, "out of memory: Insufficient memory.; lower the sizes in the config (training.batch_size, training.samples, architecture.hidden_widths, evaluation.test_size, evaluation.iwae_samples)" },
        { new ExternalException("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 858993459200 bytes.\nException raised from ..."), 5,
          "out of memory: [enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 858993459200 bytes. Exception raised from ...; lower the sizes in the config (training.batch_size, training.samples, architecture.hidden_widths, evaluation.test_size, evaluation.iwae_samples)" },
        { new TrainingDivergedException(3, "the ELBO", double.NaN), 1, "training diverged at step 3: the ELBO is NaN. Lower the learning rate, or check the data for NaN or extreme values." },
        { new OperationCanceledException("stopped at step 40"), 130, "interrupted: stopped at step 40" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Error_GetsItsCode_AndOneLine(Exception error, int code, string line)
    {
        var errors = new StringWriter();
        Assert.Equal(code, CommandLine.Guard(() => throw error, errors));
        Assert.Equal($"manifoldkit: {line}\n", errors.ToString());
    }

    /// <summary>A path thousands of characters long is shown by its start and end, so the line stays readable.</summary>
    [Fact]
    public void LongPath_IsShortened()
    {
        var path = "/tmp/" + new string('p', 5000) + "/default/seed0";
        var errors = new StringWriter();
        Assert.Equal(3, CommandLine.Guard(() => throw new IOException($"{path} is not writable"), errors));
        Assert.Equal($"manifoldkit: cannot read or write: /tmp/{new string('p', 115)}…(5,019 characters)…{new string('p', 26)}/default/seed0 is not writable\n", errors.ToString());
    }

    /// <summary>Anything else is a bug: not caught, so it reaches the runtime with its stack trace.</summary>
    [Fact]
    public void Bug_IsNotCaught()
    {
        var errors = new StringWriter();
        Assert.Throws<ArgumentException>(() => CommandLine.Guard(() => throw new ArgumentException("a bug"), errors));
        Assert.Throws<NullReferenceException>(() => CommandLine.Guard(() => throw new NullReferenceException(), errors));
        Assert.Equal("", errors.ToString());
    }
}
