namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) amortized push and pop, O(1) aggregate; memory O(entries).
/// FIFO of <see cref="Moments"/> whose aggregate is one merge away (the two-stack queue): push merges into a
/// running back aggregate; pop takes from a front stack of suffix aggregates, refilled from the back stack when
/// empty. No subtraction anywhere.
/// </summary>
internal sealed class MomentsQueue
{
    private const int InitialCapacity = 8;
    private Moments[] _front = new Moments[InitialCapacity];
    private Moments[] _back = new Moments[InitialCapacity];
    private int _frontPos;
    private int _frontLen;
    private int _backLen;
    private Moments _backAggregate;

    public int Count => _frontLen - _frontPos + _backLen;

    public void Push(in Moments item)
    {
        // Grown by doubling: memory follows the units actually queued, not the window's capacity.
        if (_backLen == _back.Length)
        {
            Array.Resize(ref _back, _back.Length * 2);
        }

        _back[_backLen++] = item;
        _backAggregate = Moments.Merge(_backAggregate, item);
    }

    public void Pop()
    {
        if (_frontPos == _frontLen)
        {
            // Flip: the back stack becomes suffix aggregates, oldest first (Count merges, once per Count pops).
            if (_front.Length < _backLen)
            {
                _front = new Moments[_back.Length];
            }

            var acc = Moments.Empty;
            for (var i = _backLen - 1; i >= 0; i--)
            {
                acc = Moments.Merge(_back[i], acc);
                _front[i] = acc;
            }

            _frontPos = 0;
            _frontLen = _backLen;
            _backLen = 0;
            _backAggregate = Moments.Empty;
        }

        _frontPos++;
    }

    /// <summary>Moments of everything queued.</summary>
    public Moments Aggregate() =>
        Moments.Merge(_frontPos < _frontLen ? _front[_frontPos] : Moments.Empty, _backAggregate);
}
