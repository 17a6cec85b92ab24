using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace TradeStat.Domain.Market;

/// <summary>
/// Minimal-effort perfect hash over a fixed set of UTF-8 keys (hash-and-displace): a seeded 64-bit hash picks a
/// bucket, each bucket stores the displacement seed that sends all of its keys to free slots of a power-of-two table.
/// Lookup O(|key|): one hash, one mix, one key comparison (so a key outside the set is never mistaken for one inside).
/// Build expected O(n); memory ≈ 4 B per bucket (n/4 buckets) + 4 B per slot (≤ 2.5·n slots) + the key bytes.
/// Immutable and thread-safe once built.
/// </summary>
public sealed class PerfectHashTable
{
    private const int KeysPerBucket = 4;
    private const int MaxDisplacementTries = 1 << 20;

    private readonly ulong _seed;
    private readonly uint[] _displacements;
    private readonly int[] _slots;
    private readonly int _slotMask;
    private readonly byte[] _keyBytes;
    private readonly int[] _keyOffsets;

    private PerfectHashTable(ulong seed, uint[] displacements, int[] slots, byte[] keyBytes, int[] keyOffsets)
    {
        _seed = seed;
        _displacements = displacements;
        _slots = slots;
        _slotMask = slots.Length - 1;
        _keyBytes = keyBytes;
        _keyOffsets = keyOffsets;
    }

    /// <summary>Number of keys.</summary>
    public int Count => _keyOffsets.Length - 1;

    /// <summary>Slots in the table (a power of two).</summary>
    public int SlotCount => _slots.Length;

    /// <summary>Global seeds tried before every bucket found a displacement (1 = first try).</summary>
    public int SeedAttempts { get; private init; }

    /// <summary>The key with index <paramref name="index"/> (its UTF-8 bytes).</summary>
    public ReadOnlySpan<byte> KeyAt(int index) => _keyBytes.AsSpan(_keyOffsets[index], _keyOffsets[index + 1] - _keyOffsets[index]);

    /// <summary>
    /// Builds the table over <paramref name="keys"/> (distinct byte strings); key i gets index i. Verifies that every
    /// key lands in its own slot and finds itself, and throws otherwise (never returns a table with a collision).
    /// </summary>
    public static PerfectHashTable Build(IReadOnlyList<byte[]> keys, ulong seed = 0x5EED_7AB1E)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var n = keys.Count;
        var distinct = new HashSet<string>(n, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            // Latin-1 maps bytes to chars one to one, so equal strings mean equal byte strings.
            if (!distinct.Add(Encoding.Latin1.GetString(key)))
            {
                throw new ArgumentException($"Duplicate key '{Encoding.UTF8.GetString(key)}'.", nameof(keys));
            }
        }

        var offsets = new int[n + 1];
        var total = 0;
        for (var i = 0; i < n; i++)
        {
            offsets[i] = total;
            total += keys[i].Length;
        }

        offsets[n] = total;
        var bytes = new byte[total];
        for (var i = 0; i < n; i++)
        {
            keys[i].CopyTo(bytes, offsets[i]);
        }

        // Load ≤ 0.8 in a power-of-two table.
        var slotCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, (n * 5 / 4) + 1));
        var bucketCount = Math.Max(1, (n + KeysPerBucket - 1) / KeysPerBucket);
        var hashes = new ulong[n];
        for (var attempt = 1; attempt <= 64; attempt++, seed = Mix(seed + 0x9E3779B97F4A7C15))
        {
            for (var i = 0; i < n; i++)
            {
                hashes[i] = Hash(keys[i], seed);
            }

            if (TryAssign(hashes, keys, bucketCount, slotCount, out var displacements, out var slots))
            {
                var table = new PerfectHashTable(seed, displacements, slots, bytes, offsets) { SeedAttempts = attempt };
                table.Verify(keys);
                return table;
            }
        }

        throw new InvalidOperationException($"No perfect hash found for {n} keys (are the keys distinct?).");
    }

    /// <summary>Builds over strings (UTF-8 encoded).</summary>
    public static PerfectHashTable Build(IReadOnlyList<string> keys) =>
        Build(keys.Select(k => Encoding.UTF8.GetBytes(k)).ToArray());

    /// <summary>Index of <paramref name="key"/>, or −1 when it is not in the set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ReadOnlySpan<byte> key)
    {
        var h = Hash(key, _seed);
        var slot = Slot(h, _displacements[Bucket(h, _displacements.Length)], _slotMask);
        var index = _slots[slot];
        if (index < 0)
        {
            return -1;
        }

        var start = _keyOffsets[index];
        var length = _keyOffsets[index + 1] - start;
        return key.SequenceEqual(_keyBytes.AsSpan(start, length)) ? index : -1;
    }

    /// <summary>Seeded 64-bit hash of a byte string: 8 bytes per step, splitmix64 finaliser.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<byte> key, ulong seed)
    {
        var h = seed ^ ((ulong)key.Length * 0x9E3779B97F4A7C15);
        while (key.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * 0xFF51AFD7ED558CCD;
            h ^= h >> 29;
            key = key[8..];
        }

        if (!key.IsEmpty)
        {
            ulong tail = 0;
            for (var i = 0; i < key.Length; i++)
            {
                tail |= (ulong)key[i] << (8 * i);
            }

            h = (h ^ tail) * 0xFF51AFD7ED558CCD;
        }

        return Mix(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    // High 32 bits pick the bucket (fast range); the low bits, re-mixed with the displacement, pick the slot.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(ulong h, int bucketCount) => (int)(((h >> 32) * (ulong)bucketCount) >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ulong h, uint displacement, int mask) =>
        (int)(Mix(h ^ (displacement * 0xD6E8FEB86659FD93UL)) & (uint)mask);

    private static bool TryAssign(ulong[] hashes, IReadOnlyList<byte[]> keys, int bucketCount, int slotCount,
        out uint[] displacements, out int[] slots)
    {
        displacements = new uint[bucketCount];
        slots = new int[slotCount];
        Array.Fill(slots, -1);
        var members = new List<int>[bucketCount];
        for (var b = 0; b < bucketCount; b++)
        {
            members[b] = [];
        }

        for (var i = 0; i < hashes.Length; i++)
        {
            members[Bucket(hashes[i], bucketCount)].Add(i);
        }

        // Largest buckets first: they are hardest to place while the table is still empty.
        var order = Enumerable.Range(0, bucketCount).OrderByDescending(b => members[b].Count).ToArray();
        var mask = slotCount - 1;
        Span<int> chosen = stackalloc int[64];
        foreach (var b in order)
        {
            var bucket = members[b];
            if (bucket.Count == 0)
            {
                break;
            }

            if (bucket.Count > chosen.Length)
            {
                return false;
            }

            var placed = false;
            for (uint d = 0; d < MaxDisplacementTries && !placed; d++)
            {
                placed = true;
                for (var j = 0; j < bucket.Count; j++)
                {
                    var s = Slot(hashes[bucket[j]], d, mask);
                    if (slots[s] >= 0 || chosen[..j].Contains(s))
                    {
                        placed = false;
                        break;
                    }

                    chosen[j] = s;
                }

                if (placed)
                {
                    displacements[b] = d;
                    for (var j = 0; j < bucket.Count; j++)
                    {
                        slots[chosen[j]] = bucket[j];
                    }
                }
            }

            if (!placed)
            {
                // Two keys with the same 64-bit hash (or duplicates) can never be separated by a displacement.
                return false;
            }
        }

        return true;
    }

    private void Verify(IReadOnlyList<byte[]> keys)
    {
        var seen = new bool[_slots.Length];
        for (var i = 0; i < keys.Count; i++)
        {
            var h = Hash(keys[i], _seed);
            var slot = Slot(h, _displacements[Bucket(h, _displacements.Length)], _slotMask);
            if (seen[slot] || _slots[slot] != i || IndexOf(keys[i]) != i)
            {
                throw new InvalidOperationException($"Perfect hash verification failed at key {i}.");
            }

            seen[slot] = true;
        }
    }
}
