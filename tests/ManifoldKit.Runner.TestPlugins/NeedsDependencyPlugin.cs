using Newtonsoft.Json;

namespace ManifoldKit.Runner.TestPlugins;

/// <summary>A plugin type whose base class lives in a dependency: without that file its types cannot load.</summary>
public sealed class NeedsDependencyPlugin : JsonConverter, IManifoldPlugin
{
    public void Register(IManifoldRegistrar registrar) { }

    public override bool CanConvert(Type objectType) => false;

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer) => null;

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) { }
}
