using Moq;
using TradeStat.Domain.Series;

namespace TradeStat.Tests.Unit.Domain.Series;

[TestFixture]
[Category("Unit")]
public sealed class SeriesServiceTests
{
    private Mock<ISymbolSeriesStore> _store = null!;
    private SeriesService _service = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new Mock<ISymbolSeriesStore>(MockBehavior.Strict);
        _service = new SeriesService(_store.Object, new SeriesOptions { MaxSymbols = 3 });
    }

    [Test]
    public void AddBatch_appends_and_reports_the_total()
    {
        long count = 42;
        _store.Setup(s => s.TryAppend("BTC", It.IsAny<ReadOnlyMemory<double>>(), out count)).Returns(true);

        var result = _service.AddBatch("BTC", new double[] { 1.5, 2.5 });

        result.Should().Be(new BatchAdded("BTC", 2, 42));
        _store.VerifyAll();
    }

    [Test]
    public void AddBatch_past_the_symbol_limit_throws_a_domain_error()
    {
        long count = 0;
        _store.Setup(s => s.TryAppend("NEW", It.IsAny<ReadOnlyMemory<double>>(), out count)).Returns(false);

        FluentActions.Invoking(() => _service.AddBatch("NEW", new double[] { 1 }))
            .Should().Throw<SymbolLimitReachedException>()
            .Which.MaxSymbols.Should().Be(3);
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("ééé")]
    [TestCase("123456789012345678901234567890123")]
    public void AddBatch_rejects_invalid_symbols_without_touching_the_store(string symbol) =>
        FluentActions.Invoking(() => _service.AddBatch(symbol, new double[] { 1 })).Should().Throw<ArgumentException>();

    [Test]
    public void AddBatch_rejects_empty_oversized_or_non_finite_batches()
    {
        FluentActions.Invoking(() => _service.AddBatch("A", Array.Empty<double>())).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => _service.AddBatch("A", new double[SeriesLimits.MaxBatchSize + 1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => _service.AddBatch("A", new double[] { 1, double.NaN })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => _service.AddBatch("A", new double[] { double.PositiveInfinity })).Should().Throw<ArgumentException>();
    }

    [Test]
    public void GetStats_returns_the_store_answer()
    {
        var expected = new SeriesStats(10, 1, 2, 2, 1.5, 0.25);
        _store.Setup(s => s.TryGetStats("ETH", WindowLevel.Create(1), out expected)).Returns(true);

        _service.GetStats("ETH", WindowLevel.Create(1)).Should().Be(expected);
    }

    [Test]
    public void GetStats_of_an_unknown_symbol_throws_not_found()
    {
        var none = default(SeriesStats);
        _store.Setup(s => s.TryGetStats("ETH", WindowLevel.Create(2), out none)).Returns(false);

        FluentActions.Invoking(() => _service.GetStats("ETH", WindowLevel.Create(2)))
            .Should().Throw<SymbolNotFoundException>()
            .Which.Symbol.Should().Be("ETH");
    }
}
