using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace ManifoldKit.Models;

/// <summary>
/// The safetensors format, written and read directly: an 8-byte little-endian header length, a JSON
/// header <c>{name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}</c> padded with
/// spaces to a multiple of 8 bytes, then the tensors' raw little-endian bytes, back to back in the
/// header's order. Float32, float64 and int64 tensors only: all a model holds.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key of the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    // A header larger than this is not one we wrote (the reference reader refuses above 100 MB too).
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (in order) and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">A name is repeated or reserved, or a tensor has another dtype.</exception>
    public static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors holds little-endian bytes; this machine is big-endian");
        var payloads = new List<byte[]>(tensors.Count);
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var offset = 0L;
            foreach (var (name, tensor) in tensors)
            {
                if (name == MetadataKey || !names.Add(name)) throw new ArgumentException($"tensor name '{name}' is repeated or reserved", nameof(tensors));
                var bytes = Bytes(tensor, name);
                payloads.Add(bytes);
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeName(tensor.dtype, name));
                json.WriteStartArray("shape");
                foreach (var size in tensor.shape) json.WriteNumberValue(size);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes.Length;
            }
            json.WriteEndObject();
        }
        // Padding to 8 bytes keeps every tensor aligned for readers that map the file.
        var padding = (int)((8 - header.Length % 8) % 8);
        for (var i = 0; i < padding; i++) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var payload in payloads) stream.Write(payload);
    }

    /// <summary>Writes a file (not atomically: the caller chooses where the bytes go first).</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream, tensors, metadata);
    }

    /// <summary>Reads a file written by <see cref="Write(string, IReadOnlyList{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string})"/> or any safetensors writer, for the dtypes above.</summary>
    /// <returns>The tensors in file order (CPU, owned by the caller) and the metadata (empty when the file has none).</returns>
    /// <exception cref="InvalidDataException">The file is truncated, or not safetensors, or holds a dtype this reader does not know; the message names it.</exception>
    public static (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string why) => new($"{path} is not a safetensors file this reader can read: {why}");
        if (bytes.Length < 8) throw Bad("shorter than its 8-byte header length");
        var headerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
            throw Bad($"its header length {headerLength} does not fit a file of {bytes.Length} bytes");
        var data = bytes.AsMemory(8 + (int)headerLength);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        }
        catch (JsonException error)
        {
            throw Bad($"its header is not JSON ({error.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad("its header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<(string, Tensor)>();
            try
            {
                foreach (var entry in document.RootElement.EnumerateObject())
                {
                    if (entry.Name == MetadataKey)
                    {
                        foreach (var pair in entry.Value.EnumerateObject())
                            metadata[pair.Name] = pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : throw Bad($"metadata '{pair.Name}' is not a string");
                        continue;
                    }
                    var dtype = entry.Value.GetProperty("dtype").GetString();
                    var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
                    var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(s => s.GetInt64()).ToArray();
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > data.Length)
                        throw Bad($"tensor '{entry.Name}' has data_offsets outside the {data.Length} bytes of data");
                    var slice = data.Span[(int)offsets[0]..(int)offsets[1]];
                    var count = shape.Aggregate(1L, (a, b) => a * b);
                    tensors.Add((entry.Name, dtype switch
                    {
                        "F32" => Make<float>(slice, shape, count, entry.Name),
                        "F64" => Make<double>(slice, shape, count, entry.Name),
                        "I64" => Make<long>(slice, shape, count, entry.Name),
                        _ => throw Bad($"tensor '{entry.Name}' has dtype {dtype}; this reader knows F32, F64 and I64"),
                    }));
                }
            }
            catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                foreach (var (_, tensor) in tensors) tensor.Dispose();
                throw Bad($"an entry of its header lacks dtype, shape or data_offsets, or has them of the wrong type ({error.Message})");
            }
            catch
            {
                foreach (var (_, tensor) in tensors) tensor.Dispose();
                throw;
            }
            return (tensors, metadata);

            Tensor Make<T>(ReadOnlySpan<byte> slice, long[] shape, long count, string name) where T : unmanaged
            {
                if (slice.Length != count * Marshal.SizeOf<T>())
                    throw Bad($"tensor '{name}' has {slice.Length} bytes for shape [{string.Join(", ", shape)}]");
                return MemoryMarshal.Cast<byte, T>(slice).ToArray() switch
                {
                    float[] values => tensor(values, shape),
                    double[] values => tensor(values, shape),
                    long[] values => tensor(values, shape),
                    _ => throw new NotSupportedException(typeof(T).Name),
                };
            }
        }
    }

    private static string DTypeName(ScalarType type, string name) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        _ => throw new ArgumentException($"tensor '{name}' has dtype {type}; safetensors export handles float32, float64 and int64", nameof(type)),
    };

    private static byte[] Bytes(Tensor value, string name)
    {
        using var scope = NewDisposeScope();
        var flat = value.detach().cpu().contiguous();
        return flat.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(flat.data<float>().ToArray().AsSpan()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes(flat.data<double>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes(flat.data<long>().ToArray().AsSpan()).ToArray(),
            _ => throw new ArgumentException($"tensor '{name}' has dtype {flat.dtype}; safetensors export handles float32, float64 and int64", nameof(value)),
        };
    }
}
