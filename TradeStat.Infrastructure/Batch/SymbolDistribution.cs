namespace TradeStat.Infrastructure.Batch;

/// <summary>How often the generator draws each of its N symbols (symbol index k = popularity rank k + 1).</summary>
public enum SymbolDistribution
{
    /// <summary>Density ∝ 1/√rank: a few symbols dominate (the generator's original behaviour, the default).</summary>
    Sqrt,

    /// <summary>Every symbol equally often.</summary>
    Uniform,

    /// <summary>Rank k with probability ∝ 1/k^s, s = <see cref="SymbolPicker.ZipfExponent"/>.</summary>
    Zipf,
}
