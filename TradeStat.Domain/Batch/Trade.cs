namespace TradeStat.Domain.Batch;

/// <summary>One trade of a symbol: microseconds since midnight, a positive quantity and a positive integer price.</summary>
/// <param name="Timestamp">Microseconds since midnight; never smaller than the previous trade's.</param>
/// <param name="Quantity">Units traded, 1 to <see cref="long.MaxValue"/>.</param>
/// <param name="Price">Price per unit in whole currency units, 1 to <see cref="long.MaxValue"/>.</param>
public readonly record struct Trade(long Timestamp, long Quantity, long Price);
