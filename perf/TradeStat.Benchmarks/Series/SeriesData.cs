namespace TradeStat.Benchmarks.Series;

/// <summary>Deterministic, realistic price data for the benchmarks: a 4-decimal random walk around 100.</summary>
internal static class SeriesData
{
    /// <summary>Batch <paramref name="number"/>: the same number gives the same prices in every run.</summary>
    public static double[] PriceBatch(int number, int size = 10_000)
    {
        var random = new Random(number);
        var batch = new double[size];
        var price = 100.0;
        for (var i = 0; i < size; i++)
        {
            price = Math.Round(Math.Max(0.01, price + ((random.NextDouble() - 0.5) * 0.1)), 4);
            batch[i] = price;
        }

        return batch;
    }
}
