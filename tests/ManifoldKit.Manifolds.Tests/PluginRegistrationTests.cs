using Xunit;

namespace ManifoldKit.Manifolds.Tests;

public sealed class PluginRegistrationTests
{
    private sealed class RecordingRegistrar : IManifoldRegistrar
    {
        public Dictionary<string, Func<ManifoldSettings, IManifold>> Factories { get; } = [];

        public IManifoldRegistrar Add(string name, Func<ManifoldSettings, IManifold> factory)
        {
            Factories.Add(name, factory);
            return this;
        }
    }

    private static IManifold Build(IManifoldPlugin plugin, string name, Dictionary<string, string>? settings = null)
    {
        var registrar = new RecordingRegistrar();
        plugin.Register(registrar);
        Assert.Equal([name], registrar.Factories.Keys);
        var manifold = registrar.Factories[name](settings is null ? ManifoldSettings.Empty : new ManifoldSettings(settings));
        Assert.Equal(name, manifold.Name);
        return manifold;
    }

    [Fact]
    public void BuiltInPlugins_RegisterTheirManifoldsByName()
    {
        Assert.IsType<Circle>(Build(new CirclePlugin(), "circle"));
        Assert.Equal(2, Build(new SpherePlugin(), "sphere").IntrinsicDim);
        Assert.IsType<SpecialOrthogonal3>(Build(new SpecialOrthogonal3Plugin(), "so3"));
    }

    [Fact]
    public void SpherePlugin_ReadsItsSettings()
    {
        var sphere = Build(new SpherePlugin(), "sphere", new() { ["dim"] = "3", ["rotation"] = "gram_schmidt" });
        Assert.Equal(4, sphere.AmbientDim);
        Assert.Equal(4, Build(new SpherePlugin(), "sphere", new() { ["rotation"] = "quaternion" }).Symmetry!.ParameterDim);
    }

    [Theory]
    [InlineData("dim", "zero", "manifold setting 'dim' is 'zero'; expected an integer from 1 to 1024.")]
    [InlineData("dim", "0", "manifold setting 'dim' is '0'; expected an integer from 1 to 1024.")]
    [InlineData("rotation", "euler", "manifold setting 'rotation' is 'euler'; expected one of: gram_schmidt, quaternion.")]
    public void SpherePlugin_RejectsBadSettingsNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(new SpherePlugin(), "sphere", new() { [key] = value }));
        Assert.StartsWith(message, error.Message);
        Assert.Equal(key, error.ParamName);
    }
}
