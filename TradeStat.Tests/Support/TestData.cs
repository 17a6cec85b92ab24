namespace TradeStat.Tests.Support;

/// <summary>Generators of value sequences that stress the engine's numerics.</summary>
public static class TestData
{
    /// <summary>Kinds of data a price series can look like.</summary>
    public enum Regime
    {
        /// <summary>Uniform in [-1000, 1000].</summary>
        Uniform,

        /// <summary>A random walk around 100 with 4-decimal prices.</summary>
        Prices,

        /// <summary>1e9 plus noise of at most 1e-3: the classic cancellation trap.</summary>
        LargeOffsetTinySpread,

        /// <summary>Values spread over many orders of magnitude, both signs.</summary>
        WideMagnitudes,

        /// <summary>Few distinct values, many ties.</summary>
        Ties,

        /// <summary>Small integers.</summary>
        Integers,
    }

    public static double Next(Random random, Regime regime, ref double walk) => regime switch
    {
        Regime.Uniform => (random.NextDouble() * 2000) - 1000,
        Regime.Prices => walk = Math.Round(Math.Max(0.0001, walk + ((random.NextDouble() - 0.5) * 0.1)), 4),
        Regime.LargeOffsetTinySpread => 1e9 + (random.NextDouble() * 1e-3),
        Regime.WideMagnitudes => (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, (random.NextDouble() * 24) - 12),
        Regime.Ties => random.Next(4) * 0.5,
        Regime.Integers => random.Next(-50, 51),
        _ => throw new ArgumentOutOfRangeException(nameof(regime)),
    };

    /// <summary>A batch of <paramref name="size"/> values of one regime.</summary>
    public static double[] RandomBatch(Random random, Regime regime, int size, ref double walk)
    {
        var batch = new double[size];
        for (var i = 0; i < size; i++)
        {
            batch[i] = Next(random, regime, ref walk);
        }

        return batch;
    }
}
