using ManifoldKit.Distributions;
using ManifoldKit.Manifolds;
using ManifoldKit.Testing;

namespace ManifoldKit.Core.Tests.Distributions;

// The built-in families on the built-in spheres: one line per family and manifold.
public sealed class VmfOnCircleContract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.VonMisesFisher(); protected override IManifold CreateManifold() => new Circle(); }

public sealed class VmfOnS2Contract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.VonMisesFisher(); protected override IManifold CreateManifold() => new Sphere(2); }

public sealed class VmfOnS5Contract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.VonMisesFisher(); protected override IManifold CreateManifold() => new Sphere(5); }

public sealed class PowerSphericalOnCircleContract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.PowerSpherical(); protected override IManifold CreateManifold() => new Circle(); }

public sealed class PowerSphericalOnS2Contract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.PowerSpherical(); protected override IManifold CreateManifold() => new Sphere(2); }

public sealed class PowerSphericalOnS5Contract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => DirectionalFamily.PowerSpherical(); protected override IManifold CreateManifold() => new Sphere(5); }

// A plugin's family (tests/ManifoldKit.Runner.TestPlugins), as a plugin author's test project runs it.
public sealed class WrappedCauchyOnCircleContract : PosteriorFamilyContract { protected override IManifoldPosteriorFamily CreateFamily() => new ManifoldKit.Runner.TestPlugins.WrappedCauchyFamily(); protected override IManifold CreateManifold() => new Circle(); }
