using System.Text;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class SymbolTableTests
{
    [Test]
    public void Direct_and_general_symbols_get_dense_distinct_ids_and_keep_their_bytes()
    {
        var table = new SymbolTable();
        string[] names = ["aaa", "AAA", "~~~", "!!!", "a b", "ab", "AAPL", "x", "é12", new string('z', 32)];
        var ids = names.Select(n => table.GetOrAdd(Encoding.UTF8.GetBytes(n))).ToArray();
        ids.Should().Equal(Enumerable.Range(0, names.Length));
        names.Select(n => table.GetOrAdd(Encoding.UTF8.GetBytes(n))).Should().Equal(ids);
        ids.Select(id => Encoding.UTF8.GetString(table.Name(id))).Should().Equal(names);
        table.Count.Should().Be(names.Length);
    }

    [Test]
    public void Every_three_byte_symbol_has_its_own_key_and_is_found_once_added()
    {
        var table = new SymbolTable();
        var seen = new HashSet<int>();
        for (uint b0 = 0x20; b0 < 0x100; b0 += 7)
        {
            for (uint b1 = 0x20; b1 < 0x100; b1++)
            {
                for (uint b2 = 0x20; b2 < 0x100; b2 += 3)
                {
                    seen.Add(SymbolTable.ThreeByteKey(b0, b1, b2)).Should().BeTrue();
                }
            }
        }

        var key = SymbolTable.ThreeByteKey(0xC3, 'a', ' ');
        table.FindThreeByte(key).Should().Be(-1);
        var id = table.GetOrAdd([0xC3, (byte)'a', (byte)' ']);
        table.FindThreeByte(key).Should().Be(id);
        table.Name(id).ToArray().Should().Equal(0xC3, (byte)'a', (byte)' ');
        table.FindThreeByte(SymbolTable.ThreeByteKey('a', 'a', 'a')).Should().Be(-1);
    }

    [Test]
    public void Letter_symbols_are_recognised_exactly_as_a_byte_by_byte_check_says([Range(1, 8)] int seed)
    {
        // Random words, biased towards the edges of the letter bytes (0x3F, 0x40, 0x7E, 0x7F, 0xC0) and the comma,
        // one at a time and in pairs, against the naive rule.
        var random = new Random(seed);
        byte[] edges = [0x3F, 0x40, 0x41, 0x5A, 0x60, 0x61, 0x7A, 0x7E, 0x7F, 0x80, 0xBF, 0xC0, 0xFF, 0x00, 0x20, (byte)','];
        byte Byte() => random.Next(3) == 0 ? edges[random.Next(edges.Length)] : (byte)random.Next(0x38, 0x88);
        for (var i = 0; i < 200_000; i++)
        {
            var first = Word(Byte(), Byte(), Byte(), random.Next(4) == 0 ? Byte() : (byte)',');
            var second = Word(Byte(), Byte(), Byte(), random.Next(4) == 0 ? Byte() : (byte)',');
            SymbolTable.IsLetters(first).Should().Be(NaiveIsLetters(first));
            SymbolTable.AreLetters(first, second).Should().Be(NaiveIsLetters(first) && NaiveIsLetters(second));
        }
    }

    [Test]
    public void Letter_keys_tell_apart_the_symbols_of_one_case_and_are_owned_by_the_first_claimant()
    {
        var lower = new HashSet<int>();
        var upper = new HashSet<int>();
        for (var i = 0; i < 26 * 26 * 26; i++)
        {
            var (a, b, c) = ((byte)(i / 676), (byte)(i / 26 % 26), (byte)(i % 26));
            var key = SymbolTable.LetterKey(Word((byte)('a' + a), (byte)('a' + b), (byte)('a' + c), 0));
            key.Should().BeInRange(0, SymbolTable.LetterKeys - 1);
            lower.Add(key).Should().BeTrue();
            upper.Add(SymbolTable.LetterKey(Word((byte)('A' + a), (byte)('A' + b), (byte)('A' + c), 0))).Should().BeTrue();
        }

        lower.Should().BeEquivalentTo(upper); // 'A' and 'a' share a key: whoever comes first owns it

        var table = new SymbolTable();
        var abc = Word((byte)'a', (byte)'b', (byte)'c', 0);
        var upperAbc = Word((byte)'A', (byte)'B', (byte)'C', 0);
        table.OwnsLetterKey(upperAbc).Should().BeTrue();
        table.OwnsLetterKey(abc).Should().BeFalse();
        table.OwnsLetterKey(upperAbc).Should().BeTrue();
        table.OwnsLetterKey(Word((byte)'a', (byte)'b', (byte)'d', 0)).Should().BeTrue();
        table.Count.Should().Be(0); // an owner needs no id
    }

    [Test]
    public void Exactly_one_of_racing_claimants_owns_a_letter_key([Range(1, 8)] int seed)
    {
        // 'a' or 'A' in each place: eight symbols with one key, each claiming it from many threads at once.
        var random = new Random(seed);
        var table = new SymbolTable();
        var rivals = new uint[64];
        for (var i = 0; i < rivals.Length; i++)
        {
            var bits = i % 8;
            rivals[i] = Word((byte)((bits & 1) == 0 ? 'a' : 'A'), (byte)((bits & 2) == 0 ? 'a' : 'A'), (byte)((bits & 4) == 0 ? 'a' : 'A'), 0);
        }

        random.Shuffle(rivals);
        var won = new bool[rivals.Length];
        Parallel.For(0, rivals.Length, i => won[i] = table.OwnsLetterKey(rivals[i]));
        var owner = rivals[Array.IndexOf(won, true)];
        won.Should().Equal(rivals.Select(r => r == owner));
        table.OwnsLetterKey(owner).Should().BeTrue();
    }

    [Test]
    public void Letter_keys_close_once_enough_three_byte_symbols_go_by_id_and_owners_keep_theirs()
    {
        var table = new SymbolTable();
        var owners = new List<uint>();
        for (var i = 0; i < 100; i++)
        {
            var symbol = Word((byte)('a' + i % 26), (byte)('a' + i / 26), (byte)'q', 0);
            table.OwnsLetterKey(symbol).Should().BeTrue();
            owners.Add(symbol);
        }

        // Three-byte symbols with a digit go by id: below the threshold the keys stay open.
        for (var i = 0; i < SymbolTable.LetterKeysCloseAt - 1; i++)
        {
            table.GetOrAdd([(byte)'0', (byte)('0' + i % 10), (byte)('a' + i / 10)]);
        }

        table.LetterKeysClosed.Should().BeFalse();
        table.OwnsLetterKey(Word((byte)'z', (byte)'z', (byte)'a', 0)).Should().BeTrue();
        table.GetOrAdd("9zz"u8);
        table.LetterKeysClosed.Should().BeTrue();
        owners.Should().OnlyContain(o => table.OwnsLetterKey(o));
        table.OwnsLetterKey(Word((byte)'z', (byte)'z', (byte)'a', 0)).Should().BeTrue();
        table.OwnsLetterKey(Word((byte)'z', (byte)'z', (byte)'b', 0)).Should().BeFalse();
        table.OwnsLetterKey(Word((byte)'Z', (byte)'z', (byte)'a', 0)).Should().BeFalse();
    }

    [Test]
    public void Keys_stay_open_while_owners_outnumber_four_times_the_symbols_by_id()
    {
        var table = new SymbolTable();
        for (var i = 0; i < 26 * 26 * 26; i++)
        {
            table.OwnsLetterKey(Word((byte)('a' + i / 676), (byte)('a' + i / 26 % 26), (byte)('a' + i % 26), 0)).Should().BeTrue();
        }

        for (var i = 0; i < 1000; i++)
        {
            table.GetOrAdd([(byte)('0' + i / 100), (byte)('0' + i / 10 % 10), (byte)('0' + i % 10)]);
        }

        table.LetterKeysClosed.Should().BeFalse();
    }

    [Test]
    public void Claims_racing_the_closing_of_the_keys_settle_each_key_once([Range(1, 6)] int seed)
    {
        // Threads claim letter keys while another adds symbols by id until the keys close: afterwards every symbol's
        // answer is the same as the first one it got, and at most one symbol owns a key.
        var random = new Random(seed);
        var table = new SymbolTable();
        var symbols = new uint[4096];
        for (var i = 0; i < symbols.Length; i++)
        {
            symbols[i] = Word((byte)(0x40 + random.Next(63)), (byte)(0x40 + random.Next(63)), (byte)(0x40 + random.Next(63)), 0);
        }

        var first = new bool[symbols.Length];
        Parallel.Invoke(
            () =>
            {
                for (var i = 0; i < symbols.Length; i++)
                {
                    first[i] = table.OwnsLetterKey(symbols[i]);
                }
            },
            () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    table.GetOrAdd([(byte)('0' + i / 100), (byte)('0' + i / 10 % 10), (byte)('0' + i % 10)]);
                }
            });

        table.LetterKeysClosed.Should().BeTrue();
        symbols.Select(table.OwnsLetterKey).Should().Equal(first);
        // (No owner at all when the keys closed before the first claim: the race goes either way.)
        symbols.Where(table.OwnsLetterKey).Distinct().GroupBy(SymbolTable.LetterKey).Should().NotContain(g => g.Count() > 1);
    }

    [Test]
    public void Symbols_of_every_length_match_a_dictionary_and_short_ones_are_found_by_their_key([Range(1, 12)] int seed)
    {
        // Thousands of symbols of 1 to 32 bytes (the short table grows many times), some added twice, from
        // several threads; then every short one is found by ShortKey without a lock, and an unknown key is not.
        var random = new Random(seed);
        var names = new List<byte[]>();
        for (var i = random.Next(1, 30_000); i > 0; i--)
        {
            var length = random.Next(4) == 0 ? random.Next(9, SymbolTable.MaxLength + 1) : random.Next(1, 9);
            var name = new byte[length];
            for (var j = 0; j < length; j++)
            {
                name[j] = (byte)(seed % 3 == 0 ? random.Next(0x20, 0x100) : random.Next('a', 'e'));
            }

            if (name.Contains((byte)',') || name.Contains((byte)0x7F))
            {
                continue;
            }

            names.Add(name);
        }

        var table = new SymbolTable();
        var results = new int[3][];
        Parallel.For(0, 3, t => results[t] = names.Select(n => table.GetOrAdd(n)).ToArray());
        results[1].Should().Equal(results[0]);
        results[2].Should().Equal(results[0]);

        var reference = new Dictionary<string, int>();
        for (var i = 0; i < names.Count; i++)
        {
            var text = Convert.ToHexString(names[i]);
            if (reference.TryGetValue(text, out var id))
            {
                results[0][i].Should().Be(id);
            }
            else
            {
                reference[text] = results[0][i];
            }

            table.Name(results[0][i]).ToArray().Should().Equal(names[i]);
            if (names[i].Length is >= 1 and <= 8 and not 3)
            {
                table.FindShort(SymbolTable.ShortKey(names[i])).Should().Be(results[0][i]);
            }
        }

        table.Count.Should().Be(reference.Count);
        results[0].Distinct().Count().Should().Be(reference.Count);
        table.FindShort(SymbolTable.ShortKey("\u0001\u0002"u8)).Should().Be(-1);
        table.FindShort(0).Should().Be(-1);
    }

    [Test]
    public void Concurrent_additions_give_one_id_per_symbol()
    {
        var table = new SymbolTable();
        var names = Enumerable.Range(0, 2_000).Select(i => Encoding.ASCII.GetBytes(i % 2 == 0 ? $"{i:D3}"[..3] + "" : $"S{i}")).ToArray();
        var results = new int[4][];
        Parallel.For(0, 4, t => results[t] = names.Select(n => table.GetOrAdd(n)).ToArray());
        results[1].Should().Equal(results[0]);
        results[2].Should().Equal(results[0]);
        results[3].Should().Equal(results[0]);
        table.Count.Should().Be(names.Select(n => Encoding.ASCII.GetString(n)).Distinct().Count());
    }

    private static uint Word(byte b0, byte b1, byte b2, byte b3) => b0 | ((uint)b1 << 8) | ((uint)b2 << 16) | ((uint)b3 << 24);

    // Three bytes of 0x40–0x7E, then a comma.
    private static bool NaiveIsLetters(uint word)
    {
        for (var i = 0; i < 3; i++)
        {
            var b = (word >> (8 * i)) & 0xFF;
            if (b is < 0x40 or > 0x7E)
            {
                return false;
            }
        }

        return word >> 24 == ',';
    }
}
