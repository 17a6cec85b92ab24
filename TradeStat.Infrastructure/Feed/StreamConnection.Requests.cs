using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

// The control side: SUBSCRIBE / UNSUBSCRIBE requests, paced, each answered by id, and LIST_SUBSCRIPTIONS to confirm.
// A stream the server will not take (SUBSCRIBE refused, or never shown by LIST_SUBSCRIPTIONS) is subscribed again a
// bounded number of times, then left out of what this connection expects: one bad stream never holds back the others.
internal sealed partial class StreamConnection
{
    // Created on the first send (under the send lock), when the options are at hand.
    private RequestPacer? _pacer;

    private async Task ControlAsync(CancellationToken token)
    {
        try
        {
            await SubscribeAsync(_plan.SubscribeBatches, token);
            await ConfirmAsync(token);
            _subscribed.TrySetResult();
            int confirmed;
            lock (_expected)
            {
                confirmed = _expected.Count;
            }

            _logger.LogInformation("Connection {Slot}: {Confirmed} of {Streams} streams confirmed", Slot, confirmed, _plan.Streams.Count);

            await foreach (var (method, streams) in _commands.Reader.ReadAllAsync(token))
            {
                lock (_expected)
                {
                    foreach (var s in streams)
                    {
                        _ = method == "SUBSCRIBE" ? _expected.Add(s) : _expected.Remove(s);
                    }
                }

                var batches = ConnectionPlanner.Batches(streams, _options);
                if (method == "SUBSCRIBE")
                {
                    await SubscribeAsync(batches, token);
                }
                else
                {
                    foreach (var batch in batches)
                    {
                        await UnsubscribeAsync(batch, token);
                    }
                }

                await ConfirmAsync(token);
            }
        }
        catch (Exception e) when (!token.IsCancellationRequested && e is not OperationCanceledException)
        {
            _logger.LogWarning("Connection {Slot}: subscription failed: {Error}", Slot, e.Message);
            _subscribed.TrySetException(e);
            _socket.Abort();
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            _logger.LogWarning("Connection {Slot}: no answer to a request within {Timeout}", Slot, _options.RequestTimeout);
            _subscribed.TrySetException(new TimeoutException("No answer to a subscription request."));
            _socket.Abort();
        }
    }

    // SUBSCRIBE batch by batch, in order. Binance refuses a whole request for one stream it will not take: a refused
    // batch is halved until the refused streams stand alone, so the rest of the batch is subscribed all the same. The
    // streams refused alone stay missing, and ConfirmAsync tries them again or gives them up.
    private async Task SubscribeAsync(IEnumerable<IReadOnlyList<string>> batches, CancellationToken token)
    {
        var pending = new Stack<IReadOnlyList<string>>(Enumerable.Reverse(batches));
        List<string>? refused = null;
        string? refusal = null;
        while (pending.TryPop(out var batch))
        {
            var answer = await RequestAsync("SUBSCRIBE", batch, token);
            if (answer.Refusal is null)
            {
                continue;
            }

            if (batch.Count == 1)
            {
                (refused ??= []).Add(batch[0]);
                refusal = answer.Refusal;
                continue;
            }

            var half = batch.Count / 2;
            pending.Push(batch.Skip(half).ToArray());
            pending.Push(batch.Take(half).ToArray());
        }

        if (refused is not null)
        {
            _logger.LogWarning("Connection {Slot}: SUBSCRIBE refused for {Count} streams ({Refusal}): {Streams}", Slot, refused.Count, refusal, Preview(refused));
        }
    }

    private async Task UnsubscribeAsync(IReadOnlyList<string> batch, CancellationToken token)
    {
        // A refused UNSUBSCRIBE leaves streams the feed no longer counts on: harmless, so only said.
        var answer = await RequestAsync("UNSUBSCRIBE", batch, token);
        if (answer.Refusal is not null)
        {
            _logger.LogWarning("Connection {Slot}: UNSUBSCRIBE of {Count} streams refused ({Refusal}): {Streams}", Slot, batch.Count, answer.Refusal, Preview(batch));
        }
    }

    // LIST_SUBSCRIPTIONS until the server holds every stream expected, subscribing the missing ones again at most
    // MaxResubscribes times (SUBSCRIBE can be ignored silently). What is still missing then is given up on this
    // connection: logged, counted, and no longer expected, so the connection carries on with the others.
    private async Task ConfirmAsync(CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            var listed = await ListAsync(token);
            string[] missing;
            lock (_expected)
            {
                missing = _expected.Where(s => !listed.Contains(s)).ToArray();
            }

            if (missing.Length == 0)
            {
                return;
            }

            if (attempt >= _options.MaxResubscribes)
            {
                lock (_expected)
                {
                    _expected.ExceptWith(missing);
                }

                _ingestor.Metrics.AddUnconfirmed(missing.Length);
                _logger.LogWarning("Connection {Slot}: {Missing} streams still not subscribed after subscribing again {Attempts} times; left out of this connection: {Streams}",
                    Slot, missing.Length, attempt, Preview(missing));
                return;
            }

            _logger.LogWarning("Connection {Slot}: {Missing} streams not subscribed; subscribing again", Slot, missing.Length);
            await SubscribeAsync(ConnectionPlanner.Batches(missing, _options), token);
        }
    }

    private async Task<HashSet<string>> ListAsync(CancellationToken token)
    {
        var answer = await RequestAsync("LIST_SUBSCRIPTIONS", null, token);
        if (answer.Refusal is not null)
        {
            throw new InvalidOperationException($"LIST_SUBSCRIPTIONS refused: {answer.Refusal}");
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(answer.Body);
        if (doc.RootElement.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in result.EnumerateArray())
            {
                if (s.ValueKind == JsonValueKind.String)
                {
                    listed.Add(s.GetString()!);
                }
            }
        }

        return listed;
    }

    private async Task<RequestAnswer> RequestAsync(string method, IReadOnlyList<string>? parameters, CancellationToken token)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var output = new ArrayBufferWriter<byte>();
        SubscriptionRequest.Write(output, method, parameters, id);
        try
        {
            await SendPacedAsync(output.WrittenMemory, token);
            var answer = await waiter.Task.WaitAsync(_options.RequestTimeout, _time, token);
            return new RequestAnswer(answer, Refusal(answer));
        }
        catch (TimeoutException)
        {
            throw new OperationCanceledException($"{method} {id} got no answer.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// The refusal an answer carries, as JSON text: nested (<c>{"error":{"code":2,"msg":…},"id":n}</c>) or in the flat form
    /// of the stream endpoint (<c>{"code":2,"msg":"Invalid request: …","id":n}</c>); null for a success
    /// (<c>{"result":…,"id":n}</c>).
    /// </summary>
    internal static string? Refusal(byte[] answer)
    {
        using var doc = JsonDocument.Parse(answer);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return root.GetRawText();
        }

        if (root.TryGetProperty("error", out var error))
        {
            return error.GetRawText();
        }

        return root.TryGetProperty("code", out _) || root.TryGetProperty("msg", out _) ? root.GetRawText() : null;
    }

    // Within SendInterval of the previous request and MaxRequestsPerSecond in any second (RequestPacer) on this
    // connection: Binance counts every incoming message per connection, and the pongs that answer its pings need room.
    private async Task SendPacedAsync(ReadOnlyMemory<byte> message, CancellationToken token)
    {
        await _sendLock.WaitAsync(token);
        try
        {
            _pacer ??= new RequestPacer(_options.MaxRequestsPerSecond, RequestPacer.Window, _time);
            var wait = _pacer.Delay();
            if (_lastSend != long.MinValue)
            {
                var gap = _options.SendInterval - _time.GetElapsedTime(_lastSend);
                wait = gap > wait ? gap : wait;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, token);
            }

            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, token);

            // Taken once the message is out, so the window counts from no earlier than the moment it left.
            _lastSend = _time.GetTimestamp();
            _pacer.Sent(_lastSend);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static string Preview(IReadOnlyCollection<string> streams) =>
        string.Join(", ", streams.Take(20)) + (streams.Count > 20 ? ", …" : "");

    private readonly record struct RequestAnswer(byte[] Body, string? Refusal);
}

/// <summary>
/// A sliding window over the times requests were sent on one connection: the next one may go once the one sent
/// <c>maxPerWindow</c> requests earlier is a full window old, so no window (hence no second) ever holds more than
/// <c>maxPerWindow</c>. Not thread-safe: the connection's send lock guards it.
/// </summary>
internal sealed class RequestPacer(int maxPerWindow, TimeSpan window, TimeProvider time)
{
    /// <summary>A second, plus a margin for the delays between the moment a request leaves and the moment Binance counts it.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(100);

    // The send times of the last maxPerWindow requests, oldest first.
    private readonly Queue<long> _sent = new(maxPerWindow + 1);

    /// <summary>How long from now until the next request may be sent (zero: now).</summary>
    public TimeSpan Delay()
    {
        if (_sent.Count < maxPerWindow)
        {
            return TimeSpan.Zero;
        }

        var wait = window - time.GetElapsedTime(_sent.Peek());
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Records a request sent at <paramref name="timestamp"/> (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public void Sent(long timestamp)
    {
        _sent.Enqueue(timestamp);
        while (_sent.Count > maxPerWindow)
        {
            _sent.Dequeue();
        }
    }
}
