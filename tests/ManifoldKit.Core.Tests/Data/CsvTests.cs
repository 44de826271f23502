using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManifoldKit.Data.Formats;
using Xunit;

namespace ManifoldKit.Core.Tests.Data;

/// <summary>A table to write as CSV: observations and factors (row-major), where the factors sit, and how the text is spelled.</summary>
public sealed record CsvCase(int Rows, int D, int F, float[] X, float[] C, int FormatSeed)
{
    public override string ToString() => $"{Rows} rows, {D} observations, {F} factors, format seed {FormatSeed}";
}

public static class CsvArbitraries
{
    public static Arbitrary<CsvCase> Tables() => Arb.From(
        from rows in Gen.Choose(1, 12)
        from d in Gen.Choose(1, 5)
        from f in Gen.Choose(0, 2)
        from x in Gen.ArrayOf(Finite(), rows * d)
        from c in Gen.ArrayOf(Finite(), rows * f)
        from formatSeed in Gen.Choose(0, int.MaxValue)
        select new CsvCase(rows, d, f, x, c, formatSeed));

    // Any bit pattern, NaN and infinities folded into finite ones (the reader refuses those), small integers mixed in.
    private static Gen<float> Finite() => Gen.OneOf(
        Gen.Choose(int.MinValue, int.MaxValue).Select(bits => BitConverter.Int32BitsToSingle(bits) is var v && float.IsFinite(v) ? v : BitConverter.Int32BitsToSingle(bits & 0x3FFFFFFF)),
        Gen.Choose(-9, 9).Select(i => (float)i));
}

[Properties(Arbitrary = [typeof(CsvArbitraries)], MaxTest = 100, Replay = "(3456789,9876545)")]
public sealed class CsvTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>
    /// Observations and factors read back bit for bit, whatever the spelling: factors anywhere among the
    /// columns, a header or none, fields quoted or bare with spaces, blank lines, CRLF or LF endings.
    /// </summary>
    [Property]
    public void WrittenTable_ReadsBackExactly(CsvCase table)
    {
        var random = new Random(table.FormatSeed);
        var header = table.F > 0 || random.Next(2) == 0;
        var width = table.D + table.F;
        // Where each factor goes among the columns; factors are asked for in reverse order of position.
        var slots = Enumerable.Range(0, width).OrderBy(_ => random.Next()).ToArray();
        var factorAt = slots[..table.F].Order().ToArray();
        var names = new string[width];
        for (int col = 0, o = 0, k = 0; col < width; col++) names[col] = factorAt.Contains(col) ? $"factor{k++}" : $"x{o++}";
        var newline = random.Next(2) == 0 ? "\n" : "\r\n";
        var text = new StringBuilder();
        string Field(string value) => random.Next(3) switch { 0 => $"\"{value}\"", 1 => $" {value} ", _ => value };
        if (header) text.Append(string.Join(',', names.Select(Field))).Append(newline);
        for (var r = 0; r < table.Rows; r++)
        {
            if (random.Next(4) == 0) text.Append(newline);
            var values = new string[width];
            for (int col = 0, o = 0, k = 0; col < width; col++)
                values[col] = (factorAt.Contains(col) ? table.C[r * table.F + k++] : table.X[r * table.D + o++]).ToString("R", CultureInfo.InvariantCulture);
            text.Append(string.Join(',', values.Select(Field))).Append(newline);
        }
        var asked = Enumerable.Range(0, table.F).Reverse().Select(k => $"factor{k}").ToList();
        var read = Csv.Read(folder.Write("t.csv", text.ToString()), new CsvOptions { Factors = asked });

        Assert.Equal([table.Rows, (long)table.D], read.Observations.Shape);
        Assert.Equal([table.Rows, (long)table.F], read.Factors.Shape);
        Assert.Equal(Bits(table.X), Bits(read.Observations.As<float>()));
        var expectedFactors = Enumerable.Range(0, table.Rows).SelectMany(r => Enumerable.Range(0, table.F).Reverse().Select(k => table.C[r * table.F + k]));
        Assert.Equal(Bits(expectedFactors), Bits(read.Factors.As<float>()));
        Assert.Equal(asked, read.FactorNames);
        Assert.Equal(header ? Enumerable.Range(0, table.D).Select(o => $"x{o}") : Enumerable.Range(1, table.D).Select(i => $"column {i}"), read.ObservationNames);
    }

    [Fact]
    public void QuotedFields_MayHoldCommasAndQuotes()
    {
        var path = folder.Write("q.csv", "\"a, b\",\"say \"\"c\"\"\"\n1,2\n");
        var read = Csv.Read(path);
        Assert.Equal(["a, b", "say \"c\""], read.ObservationNames);
        Assert.Equal([1f, 2f], read.Observations.As<float>());
    }

    /// <summary>pandas writes column labels 0,1,2,...: all numbers, so they are data unless the header is declared.</summary>
    [Fact]
    public void NumericHeader_IsDataUnlessDeclared()
    {
        var path = folder.Write("p.csv", "0,1,2\n5,6,7\n");
        Assert.Equal([2L, 3], Csv.Read(path).Observations.Shape);
        var declared = Csv.Read(path, new CsvOptions { Header = CsvHeader.Present, Factors = ["2"] });
        Assert.Equal([1L, 2], declared.Observations.Shape);
        Assert.Equal(["0", "1"], declared.ObservationNames);
        Assert.Equal([7f], declared.Factors.As<float>());
        var absent = folder.Write("a.csv", "a,b\n1,2\n");
        Assert.Equal($"{absent}:1: column 1 is 'a', not a number", Error(absent, new CsvOptions { Header = CsvHeader.Absent }));
    }

    [Fact]
    public void RaggedRow_GivesLineAndCounts()
    {
        var header = string.Join(',', Enumerable.Range(0, 784).Select(i => $"pixel{i}"));
        var row = string.Join(',', Enumerable.Repeat("0", 784));
        var lines = new List<string> { header };
        lines.AddRange(Enumerable.Repeat(row, 15));
        lines.Add(string.Join(',', Enumerable.Repeat("0", 783)));
        var path = folder.Write("data.csv", string.Join('\n', lines));
        Assert.Equal($"{path}:17: 783 fields, but the header has 784", Error(path));
        path = folder.Write("nohead.csv", "\n1,2,3\n4,5\n");
        Assert.Equal($"{path}:3: 2 fields, but line 2 has 3", Error(path));
    }

    [Fact]
    public void NonNumber_GivesLineAndColumn()
    {
        var path = folder.Write("data.csv", "pixel1,pixel2,pixel3\n1,2,3\n\n4,5,6\n7,8,abc\n");
        Assert.Equal($"{path}:5: column 'pixel3' is 'abc', not a number", Error(path));
        path = folder.Write("nohead.csv", "1,2\n3,x\n");
        Assert.Equal($"{path}:2: column 2 is 'x', not a number", Error(path));
        path = folder.Write("empty.csv", "a,b\n1,\n");
        Assert.Equal($"{path}:2: column 'b' is empty; expected a number", Error(path));
    }

    [Theory]
    [InlineData("NaN", "is NaN")]
    [InlineData("nan", "is NaN")]
    [InlineData("NA", "is NaN")]
    [InlineData("inf", "is inf")]
    [InlineData("-Infinity", "is -Infinity")]
    [InlineData("\"Inf\"", "is Inf")]
    public void NaNAndInfinity_AreRefusedWithTheColumn(string value, string what)
    {
        var rows = string.Concat(Enumerable.Repeat("0.5,1\n", 7));
        var path = folder.Write("data.csv", $"x,label\n{rows}0.5,{value}\n");
        Assert.Equal($"{path}:9: column 'label' {what}; expected a finite number", Error(path, new CsvOptions { Factors = ["label"] }));
    }

    /// <summary>A NaN in the first row of a file without header is refused as a value, not taken for a header name.</summary>
    [Fact]
    public void NaNInFirstRow_IsNotAHeader()
    {
        var path = folder.Write("data.csv", "1,nan\n2,3\n");
        Assert.Equal($"{path}:1: column 2 is NaN; expected a finite number", Error(path));
    }

    [Fact]
    public void BeyondFloat32_IsRefused()
    {
        var path = folder.Write("data.csv", "a\n1e40\n");
        Assert.Equal($"{path}:2: column 'a' is 1e40, beyond float32's range (±3.4e38)", Error(path));
    }

    [Fact]
    public void UnclosedQuote_IsRefused()
    {
        var path = folder.Write("data.csv", "a,b\n1,\"2\n");
        Assert.Equal($"{path}:2: the quote opened in field 2 is not closed on this line (fields spanning lines are not supported)", Error(path));
        path = folder.Write("after.csv", "a,b\n\"1\"x,2\n");
        Assert.Equal($"{path}:2: field 1 has text after its closing quote; expected a comma", Error(path));
    }

    [Fact]
    public void FactorProblems_AreNamed()
    {
        var path = folder.Write("data.csv", "\n\nx,angle\n1,2\n");
        Assert.Equal($"{path}:3: no column 'label' for a factor; the header has 'x', 'angle'",
            Error(path, new CsvOptions { Factors = ["label"] }));
        Assert.Equal($"{path}: every column is a factor; expected at least one observation column",
            Error(path, new CsvOptions { Factors = ["angle", "x"] }));
        Assert.Equal($"{path}: factor 'angle' is listed twice in the options",
            Error(path, new CsvOptions { Factors = ["angle", "angle"] }));
        var twice = folder.Write("twice.csv", "angle,x,angle\n1,2,3\n");
        Assert.Equal($"{twice}:1: factor column 'angle' appears 2 times (columns 1, 3); expected one",
            Error(twice, new CsvOptions { Factors = ["angle"] }));
        var numeric = folder.Write("numeric.csv", "1,2\n3,4\n");
        Assert.Equal($"{numeric}:1: factor columns ('angle') need a header, but the first row is all numbers (if it names the columns, set Header = CsvHeader.Present)",
            Error(numeric, new CsvOptions { Factors = ["angle"] }));
    }

    [Fact]
    public void EmptyFiles_AreRefused()
    {
        var path = folder.Write("empty.csv", "\n  \n");
        Assert.Equal($"{path}: has no rows (expected numeric rows, optionally under a header)", Error(path));
        path = folder.Write("head.csv", "a,b\n\n");
        Assert.Equal($"{path}: has a header but no data rows", Error(path));
    }

    private static string Error(string path, CsvOptions? options = null) =>
        Assert.Throws<InvalidDataException>(() => Csv.Read(path, options)).Message;

    private static int[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
