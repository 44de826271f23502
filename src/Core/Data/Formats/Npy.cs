using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ManifoldKit.Data.Formats;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) holding one plain numeric array in
/// C order: u1, i1, i2, i4, i8, f4 or f8, little- or big-endian. Plain or gzip-compressed.
/// </summary>
public static class Npy
{
    private const string Supported = "'|u1', '|i1', '<i2', '<i4', '<i8', '<f4' or '<f8' (or '>' for big-endian)";
    private const string Announced = "its header's dtype and shape announce";

    /// <summary>Reads the whole array.</summary>
    /// <exception cref="InvalidDataException">The file is not a whole, supported .npy file; the message names it and what is wrong.</exception>
    public static NumericArray Read(string path)
    {
        var file = BinaryFile.Open(path);
        try
        {
            var (shape, type, bigEndian, count, headerBytes) = ReadHeader(file);
            if (!file.CheckLength(count * NumericArray.SizeOf(type), Announced))
            {
                // Checking a multi-member gzip file's length decompressed it: start again after the header.
                file.Dispose();
                file = BinaryFile.Open(path);
                file.ReadUpTo(new byte[headerBytes]);
            }
            return new NumericArray(shape, file.ReadArray(type, count, bigEndian, Announced));
        }
        finally
        {
            file.Dispose();
        }
    }

    private static (long[] Shape, ElementType Type, bool BigEndian, long Count, int HeaderBytes) ReadHeader(BinaryFile file)
    {
        Span<byte> preamble = stackalloc byte[12];
        var got = file.ReadUpTo(preamble[..8]);
        if (got < 8 || preamble[0] != 0x93 || !preamble[1..6].SequenceEqual("NUMPY"u8))
            throw file.Error($": does not start with the .npy magic string \\x93NUMPY (expected a file written by numpy.save)");
        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3)
            throw file.Error($": .npy format version {major}.{minor} is not supported (expected 1.0, 2.0 or 3.0)");
        // Version 1 gives the header length as uint16, versions 2 and 3 as uint32, both little-endian.
        var lengthBytes = major == 1 ? 2 : 4;
        got = file.ReadUpTo(preamble.Slice(8, lengthBytes));
        if (got < lengthBytes) throw file.Error($": ends inside the .npy preamble (expected the header length after the version)");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        if (headerLength > 1 << 20)
            throw file.Error($": the .npy header claims {BinaryFile.N(headerLength)} bytes (expected a dict of a few hundred)");
        var header = new byte[headerLength];
        got = file.ReadUpTo(header);
        if (got < headerLength)
            throw file.Error($": the .npy header ends after {BinaryFile.N(got)} of its {BinaryFile.N(headerLength)} bytes");
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        var dict = HeaderParser.Parse(text, message => file.Error($": the .npy header {message}: {text.Trim()}"));

        string Key(string name) => dict.TryGetValue(name, out var v) ? name : throw file.Error($": the .npy header has no '{name}' (expected 'descr', 'fortran_order' and 'shape'): {text.Trim()}");
        var descr = dict[Key("descr")] as string
            ?? throw file.Error($": descr {Show(dict["descr"])} is not a plain dtype (a structured array?); expected {Supported}");
        if (dict[Key("fortran_order")] is not bool fortran)
            throw file.Error($": fortran_order is {Show(dict["fortran_order"])}; expected True or False");
        if (fortran)
            throw file.Error(": fortran_order is True; save it in C order (np.ascontiguousarray)");
        if (dict[Key("shape")] is not List<long> dims)
            throw file.Error($": shape is {Show(dict["shape"])}; expected a tuple of sizes such as (60000, 784)");

        var (type, bigEndian) = Dtype(descr) ?? throw file.Error($": dtype '{descr}' is not supported; expected {Supported}");
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0) throw file.Error($": shape ({string.Join(", ", dims)}) has a negative size");
            if (dim > Array.MaxLength || (count *= dim) * NumericArray.SizeOf(type) > Array.MaxLength)
                throw file.Error($": shape ({string.Join(", ", dims)}) of {type} is more than {BinaryFile.N(Array.MaxLength)} bytes, the most one array can hold");
        }
        return (dims.ToArray(), type, bigEndian, count, 8 + lengthBytes + (int)headerLength);
    }

    private static (ElementType, bool BigEndian)? Dtype(string descr)
    {
        if (descr.Length < 3) return null;
        var order = descr[0];
        ElementType? type = descr[1..] switch
        {
            "u1" => ElementType.UInt8,
            "i1" => ElementType.Int8,
            "i2" => ElementType.Int16,
            "i4" => ElementType.Int32,
            "i8" => ElementType.Int64,
            "f4" => ElementType.Float32,
            "f8" => ElementType.Float64,
            _ => null,
        };
        if (type is null) return null;
        // '|' (no byte order) is how NumPy writes one-byte types; '=' is the writer's native order.
        return order switch
        {
            '<' => (type.Value, false),
            '>' => (type.Value, true),
            '=' => (type.Value, !BitConverter.IsLittleEndian),
            '|' when NumericArray.SizeOf(type.Value) == 1 => (type.Value, false),
            _ => null,
        };
    }

    private static string Show(object? value) => value switch
    {
        null => "missing",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        List<long> l => $"({string.Join(", ", l)})",
        Raw r => r.Text,
        _ => value.ToString() ?? "?",
    };

    /// <summary>A header value that is neither a string, a bool nor a tuple of integers, as written.</summary>
    private sealed record Raw(string Text);

    /// <summary>
    /// The Python dict literal NumPy writes: string keys; values a string, True/False, a tuple of
    /// integers, or anything else (a structured dtype's list), kept as its raw text.
    /// </summary>
    private sealed class HeaderParser(string text, Func<string, InvalidDataException> fail)
    {
        private int at;

        public static Dictionary<string, object?> Parse(string text, Func<string, InvalidDataException> fail) =>
            new HeaderParser(text, fail).Dict();

        private Dictionary<string, object?> Dict()
        {
            var dict = new Dictionary<string, object?>();
            Expect('{');
            while (Peek() != '}')
            {
                var key = String();
                Expect(':');
                dict[key] = Value();
                if (Peek() == ',') at++;
                else if (Peek() != '}') throw fail("is not a Python dict (expected ',' or '}')");
            }
            return dict;
        }

        private object? Value()
        {
            var c = Peek();
            if (c is '\'' or '"') return String();
            if (c == '(') return Tuple();
            var start = at;
            var depth = 0;
            // Skip anything else (a list, a nested tuple) up to the next top-level ',' or '}'.
            for (; at < text.Length; at++)
            {
                var ch = text[at];
                if (ch is '[' or '(' or '{') depth++;
                else if (ch is ']' or ')' or '}') { if (depth == 0) break; depth--; }
                else if (ch == ',' && depth == 0) break;
            }
            var raw = text[start..at].Trim();
            return raw switch { "True" => true, "False" => false, _ => new Raw(raw) };
        }

        private List<long> Tuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (Peek() != ')')
            {
                var start = at;
                while (at < text.Length && (char.IsAsciiDigit(text[at]) || text[at] is '-' or 'L')) at++;
                var number = text[start..at].TrimEnd('L');
                if (!long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dim))
                    throw fail("has a shape that is not a tuple of integers");
                dims.Add(dim);
                if (Peek() == ',') at++;
                else if (Peek() != ')') throw fail("has a shape that is not a tuple of integers");
            }
            at++;
            return dims;
        }

        private string String()
        {
            var quote = Peek();
            if (quote is not ('\'' or '"')) throw fail("is not a Python dict with string keys");
            var end = text.IndexOf(quote, at + 1);
            if (end < 0) throw fail("has an unclosed string");
            var value = text[(at + 1)..end];
            at = end + 1;
            return value;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw fail($"is not a Python dict (expected '{c}')");
            at++;
        }

        private char Peek()
        {
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
            return at < text.Length ? text[at] : '\0';
        }
    }
}
