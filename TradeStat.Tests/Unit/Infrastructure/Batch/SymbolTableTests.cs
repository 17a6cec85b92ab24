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
}
