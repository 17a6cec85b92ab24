using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Lookup O(|key|), build expected O(n); memory 4 B per bucket (n/4 buckets) + 28 B per slot (≤ 2.5·n slots) + the keys.
/// Perfect hash over a fixed set of UTF-8 keys (hash and displace): a seeded 64-bit hash picks a
/// bucket, each bucket stores the displacement seed that sends all of its keys to free slots of a power-of-two table.
/// A lookup is one hash, one mix and one key comparison (so a key outside the set is never mistaken for one inside);
/// a slot holds its key inline and its index. Immutable and thread-safe once built.
/// </summary>
public sealed class PerfectHashTable
{
    private const int KeysPerBucket = 4;
    private const int MaxDisplacementTries = 1 << 20;
    private const int InlineBytes = 16;

    private readonly ulong _seed;
    private readonly uint[] _displacements;
    private readonly int[] _slots;
    private readonly Entry[] _entries;
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

        // Each slot holds its key inline (≤ 16 bytes) so a lookup touches one cache line after the bucket.
        _entries = new Entry[slots.Length];
        for (var s = 0; s < slots.Length; s++)
        {
            var i = slots[s];
            if (i < 0)
            {
                _entries[s] = new Entry { Length = -1, Index = -1 };
                continue;
            }

            var key = KeyAt(i);
            ulong lo = 0, hi = 0;
            if (key.Length <= InlineBytes)
            {
                Pack(key, out lo, out hi);
            }

            _entries[s] = new Entry { Lo = lo, Hi = hi, Length = key.Length, Index = i };
        }
    }

    private struct Entry
    {
        public ulong Lo;
        public ulong Hi;
        public int Length;
        public int Index;
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
        if (key.Length <= InlineBytes)
        {
            Pack(key, out var lo, out var hi);
            var h = HashPacked(lo, hi, key.Length, _seed);
            ref readonly var e = ref _entries[Slot(h, _displacements[Bucket(h, _displacements.Length)], _slotMask)];
            return e.Lo == lo && e.Hi == hi && e.Length == key.Length ? e.Index : -1;
        }

        var hash = Hash(key, _seed);
        ref readonly var entry = ref _entries[Slot(hash, _displacements[Bucket(hash, _displacements.Length)], _slotMask)];
        return entry.Length == key.Length && key.SequenceEqual(KeyAt(entry.Index)) ? entry.Index : -1;
    }

    /// <summary>
    /// Seeded 64-bit hash of a byte string. Keys of up to 16 bytes (every Binance symbol so far) are first packed into two
    /// zero-padded 64-bit words with at most two loads each (<see cref="Pack"/>); the same words are the stored key, so
    /// hashing and comparing share the loads. Longer keys are hashed 8 bytes at a time. Length is mixed in; splitmix64
    /// finaliser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<byte> key, ulong seed)
    {
        if (key.Length <= InlineBytes)
        {
            Pack(key, out var lo, out var hi);
            return HashPacked(lo, hi, key.Length, seed);
        }

        const ulong K = 0xFF51AFD7ED558CCD;
        var h = seed ^ ((ulong)key.Length * 0x9E3779B97F4A7C15);
        var rest = key;
        while (rest.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(rest)) * K;
            h ^= h >> 29;
            rest = rest[8..];
        }

        h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[^8..])) * K;
        return Mix(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashPacked(ulong lo, ulong hi, int length, ulong seed)
    {
        const ulong K = 0xFF51AFD7ED558CCD;
        // Two multiply-xorshift rounds (not a full finaliser): the bucket takes the high bits and the slot re-multiplies,
        // so the chain of dependent multiplies per lookup stays at four.
        var h = ((seed ^ ((ulong)length * 0x9E3779B97F4A7C15)) ^ lo) * K;
        h ^= h >> 29;
        h = (h ^ hi) * K;
        return h ^ (h >> 32);
    }

    /// <summary>Bytes 0–7 and 8–15 of a key of at most 16 bytes, little-endian, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack(ReadOnlySpan<byte> key, out ulong lo, out ulong hi)
    {
        var n = key.Length;
        if (n >= 8)
        {
            lo = BinaryPrimitives.ReadUInt64LittleEndian(key);
            hi = n > 8 ? BinaryPrimitives.ReadUInt64LittleEndian(key[^8..]) >> (8 * (16 - n)) : 0;
        }
        else if (n >= 4)
        {
            lo = BinaryPrimitives.ReadUInt32LittleEndian(key) | (((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key[^4..]) >> (8 * (8 - n))) << 32);
            hi = 0;
        }
        else
        {
            lo = n == 0 ? 0 : key[0] | (n > 1 ? (ulong)key[1] << 8 : 0) | (n > 2 ? (ulong)key[2] << 16 : 0);
            hi = 0;
        }
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
        (int)((((h ^ (displacement * 0xD6E8FEB86659FD93UL)) * 0x9E3779B97F4A7C15UL) >> 32) & (uint)mask);

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
