using ManifoldKit.Data.Formats;
using ManifoldKit.Experiments;
using static TorchSharp.torch;

namespace ManifoldKit.Data;

/// <summary>The data sources a config can name (<c>data.source</c>), and how each is built from a spec.</summary>
public static class DataSources
{
    /// <summary>The protocol's generated tasks (<c>task</c>, <c>noise_std</c>).</summary>
    public const string Toy = "toy";

    /// <summary>A user's .npy, .csv or IDX files.</summary>
    public const string Files = "files";

    /// <summary>Fashion-MNIST, from Debian's <c>dataset-fashion-mnist</c>.</summary>
    public const string FashionMnist = "fashion-mnist";

    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the four IDX files.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Every source's config name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Toy, Files, FashionMnist];

    /// <summary>Checks what can be checked without reading the data: the files a spec names exist, and the transforms fit the source.</summary>
    /// <exception cref="ExperimentException">Something is missing or does not fit; the key is given.</exception>
    public static void Check(ExperimentSpec spec)
    {
        var data = spec.Data;
        if (!Names.Contains(data.Source))
        {
            // A plugin's source: it gets data.settings and nothing else of this section.
            if (data != new DataOptions { Source = data.Source, Settings = data.Settings })
                throw new ExperimentException("data.source", $"data.source is '{data.Source}', a plugin's data source, which reads only data.settings; remove the other data.* keys (they are for toy, files and fashion-mnist).");
            return;
        }
        if (data.Source == Toy)
        {
            if (data.Binarize != Binarization.None)
                throw new ExperimentException("data.binarize", "data.binarize needs values in [0, 1], and the toy tasks' are not; binarise images (data.source: files or fashion-mnist).");
            if (data.Rotate != Rotation.None)
                throw new ExperimentException("data.rotate", "data.rotate turns square images, and the toy tasks have none; rotate images (data.source: files or fashion-mnist).");
            return;
        }
        // Static binarisation fixes 0/1 values before any angle is drawn; turning those would give grey values again.
        if (data.Rotate != Rotation.None && data.Binarize == Binarization.Static)
            throw new ExperimentException("data.rotate", "data.rotate turns grey values and binarises them afterwards, which data.binarize: static cannot (its values are fixed before any angle is drawn); use data.binarize: dynamic.");
        if (data.Source == FashionMnist)
        {
            var folder = data.Path ?? FashionMnistFolder;
            foreach (var file in FashionMnistFiles)
                if (!File.Exists(System.IO.Path.Combine(folder, file)))
                    throw new ExperimentException(data.Path is null ? "data.source" : "data.path",
                        $"Fashion-MNIST is not in {folder} ({file} is missing); install it with 'apt-get install dataset-fashion-mnist', or set data.path to the folder of its four IDX files.");
            return;
        }
        if (data.Train is null) throw new ExperimentException("data.train", "data.source is files, but there is no data.train; give the training file (.npy, .csv or IDX).");
        if (data.Test is null && data.Split is null)
            throw new ExperimentException("data.test", "data.source is files, but there is neither data.test nor data.split; give a test file, or hold out a fraction of data.train with data.split (e.g. 0.1).");
        if (data.Test is not null && data.Split is not null)
            throw new ExperimentException("data.split", "data.split holds out part of data.train as the test set, but data.test names one already; remove one of the two.");
        foreach (var (key, path) in new[] { ("data.train", data.Train), ("data.test", data.Test), ("data.train_factors", data.TrainFactors), ("data.test_factors", data.TestFactors) })
            if (path is not null && !File.Exists(path)) throw new ExperimentException(key, $"{key} is '{path}', which does not exist.");
        if (data.TestFactors is not null && data.TrainFactors is null)
            throw new ExperimentException("data.test_factors", "data.test_factors is given without data.train_factors; give both (or neither).");
        if (data.TrainFactors is not null && data.Test is not null && data.TestFactors is null)
            throw new ExperimentException("data.train_factors", "data.train_factors is given, but the test set (data.test) has no data.test_factors; give both.");
        if (data.FactorColumns.Count > 0 && !IsCsv(data.Train))
            throw new ExperimentException("data.factor_columns", "data.factor_columns names CSV columns, but data.train is not a .csv file; give factors of .npy or IDX files with data.train_factors.");
    }

    /// <summary>Builds the spec's data source, reading and transforming its files.</summary>
    /// <param name="spec">The experiment.</param>
    /// <param name="task">The task's manifold (the toy source's).</param>
    /// <exception cref="ExperimentException">A file does not fit (shape, values, factors); the key is given.</exception>
    public static IDataSource Create(ExperimentSpec spec, IManifold task)
    {
        Check(spec);
        var data = spec.Data;
        if (data.Source == Toy) return new ToyTask(task, spec.DataSeed, spec.NoiseStd, spec.Architecture.ObservedDim);
        using var scope = NewDisposeScope();
        Tensor trainX, testX, trainFactors, testFactors;
        IReadOnlyList<string> factorNames;
        string name;
        if (data.Source == FashionMnist)
        {
            var folder = data.Path ?? FashionMnistFolder;
            Tensor Read(string file, string key) => Load(System.IO.Path.Combine(folder, file), key);
            trainX = Read(FashionMnistFiles[0], "data.path");
            trainFactors = Read(FashionMnistFiles[1], "data.path");
            testX = Read(FashionMnistFiles[2], "data.path");
            testFactors = Read(FashionMnistFiles[3], "data.path");
            (factorNames, name) = (["label"], "fashion-mnist");
        }
        else
        {
            (trainX, trainFactors, factorNames) = ReadFile(data.Train!, data.TrainFactors, data, "data.train", "data.train_factors");
            if (data.Test is { } test)
                (testX, testFactors, _) = ReadFile(test, data.TestFactors, data, "data.test", "data.test_factors");
            else
            {
                using var generator = new Generator((ulong)spec.DataSeed);
                var order = randperm(trainX.shape[0], generator: generator);
                var held = (long)Math.Round(data.Split!.Value * trainX.shape[0]);
                if (held < 1 || held >= trainX.shape[0])
                    throw new ExperimentException("data.split", $"data.split of {data.Split} holds out {held} of {trainX.shape[0]} points; the test and training sets each need one at least.");
                var (testRows, trainRows) = (order.narrow(0, 0, held), order.narrow(0, held, trainX.shape[0] - held));
                (testX, testFactors) = (trainX.index_select(0, testRows), trainFactors.index_select(0, testRows));
                (trainX, trainFactors) = (trainX.index_select(0, trainRows), trainFactors.index_select(0, trainRows));
            }
            name = System.IO.Path.GetFileName(data.Train!);
        }
        trainX = trainX.reshape(trainX.shape[0], -1);
        testX = testX.reshape(testX.shape[0], -1);
        trainFactors = trainFactors.to_type(ScalarType.Float32).reshape(trainFactors.shape[0], -1);
        testFactors = testFactors.to_type(ScalarType.Float32).reshape(testFactors.shape[0], -1);
        if (testX.shape[1] != trainX.shape[1])
            throw new ExperimentException("data.test", $"the test observations have {testX.shape[1]} values each, the training ones {trainX.shape[1]}; they must match.");

        // Scale: bytes stay bytes in memory (a quarter of the floats) and are scaled as batches are taken.
        var scale = 1.0;
        if (trainX.dtype == ScalarType.Byte && data.Scale == DataScale.Auto) scale = 1.0 / 255;
        else if (trainX.dtype == ScalarType.Byte) (trainX, testX) = (trainX.to_type(ScalarType.Float32), testX.to_type(ScalarType.Float32));
        if (data.Scale == DataScale.Unit)
        {
            var low = trainX.min(0).values;
            var range = (trainX.max(0).values - low).clamp_min(1e-12);
            (trainX, testX) = ((trainX - low) / range, ((testX - low) / range).clamp(0, 1));
        }
        if (data.Binarize == Binarization.None && Distributions.Likelihoods.ModelsUnitInterval(spec.Architecture.Likelihood))
        {
            var (low, high) = Range(trainX, testX, scale);
            if (low < 0 || high > 1)
                throw new ExperimentException("architecture.likelihood",
                    $"architecture.likelihood is {spec.Architecture.Likelihood}, which models values in [0, 1], but {name}'s lie in [{low}, {high}]; scale them (data.scale: unit) or binarise them (data.binarize).");
        }
        if (data.Binarize != Binarization.None)
        {
            var (min, max) = Range(trainX, testX, scale);
            if (min < 0 || max > 1)
                throw new ExperimentException("data.binarize", $"data.binarize needs values in [0, 1], but {name}'s lie in [{min}, {max}]; scale them (data.scale: unit) first.");
        }
        var testScale = scale;
        BatchTransform? transform = null;
        if (data.Rotate == Rotation.Uniform)
        {
            var side = ImageRotation.Side(trainX.shape[1])
                ?? throw new ExperimentException("data.rotate", $"data.rotate turns square images, but {name}'s observations have {trainX.shape[1]} values each, which is not s² for a whole s; set data.rotate: none.");
            // The test set is turned once, by seeded angles, so every evaluation sees the same images.
            using var testGenerator = new Generator((ulong)spec.DataSeed + 2);
            var testAngles = UniformAngles(testX.shape[0], testGenerator);
            testX = ImageRotation.Rotate(ImageRotation.Pad(testX.to_type(ScalarType.Float32) * testScale, side), testAngles);
            testFactors = cat([testFactors, testAngles.unsqueeze(1).to_type(ScalarType.Float32)], 1);
            testScale = 1;
            transform = new BatchTransform((x, generator) =>
            {
                var angles = UniformAngles(x.shape[0], generator);
                return (ImageRotation.Rotate(ImageRotation.Pad(x, side), angles), angles.unsqueeze(1));
            }, [RotationFactor]);
        }
        if (data.Binarize != Binarization.None)
        {
            using var testGenerator = new Generator((ulong)spec.DataSeed + 1);
            // Bilinear weights can sum to a hair over 1 in float32; bernoulli refuses p > 1.
            testX = bernoulli((testX.to_type(ScalarType.Float32) * testScale).clamp(0, 1), generator: testGenerator).to_type(ScalarType.Byte);
            testScale = 1;
            if (data.Binarize == Binarization.Static)
            {
                using var trainGenerator = new Generator((ulong)spec.DataSeed);
                trainX = bernoulli(trainX.to_type(ScalarType.Float32) * scale, generator: trainGenerator).to_type(ScalarType.Byte);
                scale = 1;
            }
            else
            {
                // The training set stays as it is; every batch is drawn afresh with the step's generator, after any rotation.
                var before = transform;
                transform = before is null
                    ? BatchTransform.Of((x, generator) => bernoulli(x, generator: generator))
                    : before with
                    {
                        Apply = (x, generator) =>
                        {
                            var (turned, angles) = before.Apply(x, generator);
                            return (bernoulli(turned.clamp(0, 1), generator: generator), angles);
                        },
                    };
            }
        }
        return new InMemoryDataSource(name, Keep(trainX), Keep(trainFactors), Keep(testX), Keep(testFactors), factorNames, scale, spec.DataSeed, transform, testScale);
    }

    /// <summary>The factor <c>data.rotate</c> adds: the angle each image was turned by, radians in [0, 2π).</summary>
    public const string RotationFactor = "angle";

    // Drawn in float64: a float32 draw times 2π can round up to 2π itself.
    private static Tensor UniformAngles(long count, Generator? generator) =>
        (rand([count], dtype: ScalarType.Float64, generator: generator) * (2 * Math.PI)).to_type(ScalarType.Float32);

    private static readonly string[] FashionMnistFiles = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>The smallest and largest value of both sets, scaled.</summary>
    private static (double Low, double High) Range(Tensor train, Tensor test, double scale) =>
        (Math.Min(train.min().to_type(ScalarType.Float64).item<double>(), test.min().to_type(ScalarType.Float64).item<double>()) * scale,
         Math.Max(train.max().to_type(ScalarType.Float64).item<double>(), test.max().to_type(ScalarType.Float64).item<double>()) * scale);

    private static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    private static Tensor Keep(Tensor tensor) => tensor.contiguous().DetachFromDisposeScope();

    /// <summary>Observations and their factors from one file (and its factor file).</summary>
    private static (Tensor X, Tensor Factors, IReadOnlyList<string> Names) ReadFile(string path, string? factorsPath, DataOptions data, string key, string factorsKey)
    {
        if (IsCsv(path))
        {
            CsvTable table;
            try
            {
                table = Csv.Read(path, new CsvOptions { Factors = data.FactorColumns });
            }
            catch (InvalidDataException error)
            {
                throw new ExperimentException(key, error.Message);
            }
            return (table.Observations.ToTensor(), table.Factors.ToTensor(), table.FactorNames);
        }
        var x = Load(path, key);
        if (factorsPath is null) return (x, zeros([x.shape[0], 0]), []);
        var factors = Load(factorsPath, factorsKey).to_type(ScalarType.Float32);
        factors = factors.reshape(factors.shape[0], -1);
        if (factors.shape[0] != x.shape[0])
            throw new ExperimentException(factorsKey, $"{factorsPath} has {factors.shape[0]} rows, but {path} has {x.shape[0]} points; give one row of factors per point.");
        IReadOnlyList<string> names = factors.shape[1] == 1 ? ["label"] : [.. Enumerable.Range(1, (int)factors.shape[1]).Select(i => $"factor{i}")];
        return (x, factors, names);
    }

    /// <summary>An .npy or IDX file (by its first bytes) as a tensor: uint8 kept as bytes, anything else float32.</summary>
    private static Tensor Load(string path, string key)
    {
        NumericArray array;
        try
        {
            array = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? Npy.Read(path) : Idx.Read(path);
        }
        catch (InvalidDataException error)
        {
            throw new ExperimentException(key, error.Message);
        }
        if (array.Shape.Length == 0 || array.Shape[0] == 0) throw new ExperimentException(key, $"{path} holds no points (shape [{string.Join(", ", array.Shape)}]).");
        var tensor = array.ElementType == ElementType.UInt8 ? array.ToByteTensor() : array.ToTensor();
        if (tensor.dtype != ScalarType.Byte && !tensor.isfinite().all().item<bool>())
            throw new ExperimentException(key, $"{path} holds NaN or infinite values; clean them out first.");
        return tensor;
    }
}
