using System.Globalization;
using System.Text;

namespace ManifoldKit.Data.Formats;

/// <summary>Whether a CSV file's first row names the columns.</summary>
public enum CsvHeader
{
    /// <summary>A header if the first row has a field that is not a number.</summary>
    Detect,
    /// <summary>The first row is a header (needed when the names are numbers, as pandas writes 0,1,2,...).</summary>
    Present,
    /// <summary>Every row is data.</summary>
    Absent,
}

/// <summary>How <see cref="Csv.Read"/> reads a file.</summary>
public sealed record CsvOptions
{
    /// <summary>Columns kept apart as factors (e.g. <c>angle</c>, <c>label</c>), in this order; named in the header.</summary>
    public IReadOnlyList<string> Factors { get; init; } = [];

    /// <summary>Whether the first row is a header.</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Detect;
}

/// <summary>A CSV file split into observations and factors, both float32, row-major.</summary>
/// <param name="Observations">x, <c>[N, D]</c>: every column that is not a factor, in file order.</param>
/// <param name="Factors">c, <c>[N, F]</c>: the factor columns in the order <see cref="CsvOptions.Factors"/> lists them.</param>
/// <param name="ObservationNames">The observation columns' names (<c>column 1</c>, ... without a header).</param>
/// <param name="FactorNames">The factor columns' names.</param>
public sealed record CsvTable(NumericArray Observations, NumericArray Factors, IReadOnlyList<string> ObservationNames, IReadOnlyList<string> FactorNames);

/// <summary>
/// Reads numeric CSV: comma-separated, fields optionally in double quotes (a quote inside doubled),
/// blank lines skipped, an optional header. Values become float32; NaN and infinities are refused.
/// </summary>
public static class Csv
{
    /// <summary>Reads the whole file.</summary>
    /// <exception cref="InvalidDataException">A row or value is malformed; the message gives the file, line and column.</exception>
    public static CsvTable Read(string path, CsvOptions? options = null)
    {
        options ??= new CsvOptions();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var line = 0;
        List<string>? fields = null;
        string? text;
        // The first non-blank row decides the width and whether there is a header.
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            fields = Split(text, path, line);
            break;
        }
        if (fields is null) throw new InvalidDataException($"{path}: has no rows (expected numeric rows, optionally under a header)");
        var headerLine = line;
        var hasHeader = options.Header switch
        {
            CsvHeader.Present => true,
            CsvHeader.Absent => false,
            _ => fields.Any(field => !LooksNumeric(field)),
        };
        var width = fields.Count;
        var names = hasHeader ? fields.Select(f => f.Trim()).ToList() : Enumerable.Range(1, width).Select(i => $"column {i}").ToList();
        var factorColumns = FactorColumns(path, headerLine, names, hasHeader, options);
        var isFactor = new bool[width];
        foreach (var column in factorColumns) isFactor[column] = true;
        var observationColumns = Enumerable.Range(0, width).Where(c => !isFactor[c]).ToArray();
        if (observationColumns.Length == 0)
            throw new InvalidDataException($"{path}: every column is a factor; expected at least one observation column");

        string Column(int c) => hasHeader ? $"column '{names[c]}'" : names[c];
        var x = new List<float>();
        var factors = new List<float>();
        var row = new float[width];
        var rows = 0;
        void Add(List<string> values, int at)
        {
            if (values.Count != width)
                throw new InvalidDataException(hasHeader
                    ? $"{path}:{at}: {values.Count} fields, but the header has {width}"
                    : $"{path}:{at}: {values.Count} fields, but line {headerLine} has {width}");
            for (var c = 0; c < width; c++) row[c] = Value(values[c], path, at, Column(c));
            foreach (var c in observationColumns) x.Add(row[c]);
            foreach (var c in factorColumns) factors.Add(row[c]);
            rows++;
        }

        if (!hasHeader) Add(fields, headerLine);
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text)) Add(Split(text, path, line), line);
        }
        if (rows == 0) throw new InvalidDataException($"{path}: has a header but no data rows");
        return new CsvTable(
            new NumericArray([rows, observationColumns.Length], x.ToArray()),
            new NumericArray([rows, factorColumns.Length], factors.ToArray()),
            observationColumns.Select(c => names[c]).ToList(),
            factorColumns.Select(c => names[c]).ToList());
    }

    private static int[] FactorColumns(string path, int headerLine, List<string> names, bool hasHeader, CsvOptions options)
    {
        if (options.Factors.Count == 0) return [];
        if (!hasHeader)
            throw new InvalidDataException($"{path}:{headerLine}: factor columns ({string.Join(", ", options.Factors.Select(f => $"'{f}'"))}) need a header, but the first row is all numbers (if it names the columns, set Header = CsvHeader.Present)");
        var columns = new int[options.Factors.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var factor = options.Factors[i];
            var matches = Enumerable.Range(0, names.Count).Where(c => names[c] == factor).ToList();
            if (matches.Count == 0)
                throw new InvalidDataException($"{path}:{headerLine}: no column '{factor}' for a factor; the header has {Preview(names)}");
            if (matches.Count > 1)
                throw new InvalidDataException($"{path}:{headerLine}: factor column '{factor}' appears {matches.Count} times (columns {string.Join(", ", matches.Select(c => c + 1))}); expected one");
            if (columns[..i].Contains(matches[0]))
                throw new InvalidDataException($"{path}: factor '{factor}' is listed twice in the options");
            columns[i] = matches[0];
        }
        return columns;
    }

    private static string Preview(List<string> names) =>
        string.Join(", ", names.Take(8).Select(n => $"'{n}'")) + (names.Count > 8 ? $", ... ({names.Count} columns)" : "");

    /// <summary>One value, refused with its line and column when not a finite float32.</summary>
    private static float Value(string field, string path, int line, string column)
    {
        var text = field.Trim();
        if (IsNaN(text)) throw new InvalidDataException($"{path}:{line}: {column} is NaN; expected a finite number");
        if (IsInfinity(text)) throw new InvalidDataException($"{path}:{line}: {column} is {text}; expected a finite number");
        if (text.Length == 0) throw new InvalidDataException($"{path}:{line}: {column} is empty; expected a number");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new InvalidDataException($"{path}:{line}: {column} is '{Clip(text)}', not a number");
        if (double.IsNaN(value)) throw new InvalidDataException($"{path}:{line}: {column} is NaN; expected a finite number");
        // Parse as double first so that values beyond float32's range are named instead of becoming infinity.
        var single = (float)value;
        if (!float.IsFinite(single))
            throw new InvalidDataException($"{path}:{line}: {column} is {text}, beyond float32's range (±3.4e38)");
        return single;
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..37] + "...";

    // Python and R spell these nan/inf/Inf/NA; .NET parses only some of them, so all are caught by name.
    private static bool IsNaN(string text) => text.Equals("nan", StringComparison.OrdinalIgnoreCase) || text is "NA" or "-nan" or "+nan";

    private static bool IsInfinity(string text) => text.TrimStart('+', '-').ToLowerInvariant() is "inf" or "infinity" or "∞";

    // A header is detected by a field that is not a number; NaN and inf count as numbers here so that
    // a first data row holding one is refused by name rather than taken for a header.
    private static bool LooksNumeric(string field)
    {
        var text = field.Trim();
        return IsNaN(text) || IsInfinity(text) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>Splits one line on commas; a field may be wrapped in double quotes, with "" for a quote inside.</summary>
    private static List<string> Split(string text, string path, int line)
    {
        var fields = new List<string>();
        var at = 0;
        while (true)
        {
            var start = at;
            while (at < text.Length && text[at] == ' ') at++;
            if (at < text.Length && text[at] == '"')
            {
                var value = new StringBuilder();
                at++;
                while (true)
                {
                    var close = text.IndexOf('"', at);
                    if (close < 0)
                        throw new InvalidDataException($"{path}:{line}: the quote opened in field {fields.Count + 1} is not closed on this line (fields spanning lines are not supported)");
                    value.Append(text, at, close - at);
                    at = close + 1;
                    if (at < text.Length && text[at] == '"') { value.Append('"'); at++; }
                    else break;
                }
                while (at < text.Length && text[at] == ' ') at++;
                if (at < text.Length && text[at] != ',')
                    throw new InvalidDataException($"{path}:{line}: field {fields.Count + 1} has text after its closing quote; expected a comma");
                fields.Add(value.ToString());
            }
            else
            {
                var comma = text.IndexOf(',', start);
                at = comma < 0 ? text.Length : comma;
                fields.Add(text[start..at]);
            }
            if (at >= text.Length) return fields;
            at++; // past the comma
        }
    }
}
