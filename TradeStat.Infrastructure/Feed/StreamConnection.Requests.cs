using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

// The control side: SUBSCRIBE / UNSUBSCRIBE requests, paced, each answered by id, and LIST_SUBSCRIPTIONS to confirm.
internal sealed partial class StreamConnection
{
    private async Task ControlAsync(CancellationToken token)
    {
        try
        {
            foreach (var batch in _plan.SubscribeBatches)
            {
                await RequestAsync("SUBSCRIBE", batch, token);
            }

            await ConfirmAsync(token);
            _subscribed.TrySetResult();
            _logger.LogInformation("Connection {Slot}: {Streams} streams confirmed", Slot, _plan.Streams.Count);

            await foreach (var (method, streams) in _commands.Reader.ReadAllAsync(token))
            {
                lock (_expected)
                {
                    foreach (var s in streams)
                    {
                        _ = method == "SUBSCRIBE" ? _expected.Add(s) : _expected.Remove(s);
                    }
                }

                foreach (var batch in ConnectionPlanner.Batches(streams, _options))
                {
                    await RequestAsync(method, batch, token);
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

    // LIST_SUBSCRIPTIONS until the server holds exactly what we expect (a few rounds; SUBSCRIBE can be ignored silently).
    private async Task ConfirmAsync(CancellationToken token)
    {
        for (var round = 0; ; round++)
        {
            var answer = await RequestAsync("LIST_SUBSCRIPTIONS", null, token);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            using (var doc = JsonDocument.Parse(answer))
            {
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
            }

            string[] missing;
            lock (_expected)
            {
                missing = _expected.Where(s => !listed.Contains(s)).ToArray();
            }

            if (missing.Length == 0)
            {
                return;
            }

            if (round == 2)
            {
                throw new InvalidOperationException($"{missing.Length} streams still missing after re-subscribing.");
            }

            _logger.LogWarning("Connection {Slot}: {Missing} streams not subscribed; subscribing again", Slot, missing.Length);
            foreach (var batch in ConnectionPlanner.Batches(missing, _options))
            {
                await RequestAsync("SUBSCRIBE", batch, token);
            }
        }
    }

    private async Task<byte[]> RequestAsync(string method, IReadOnlyList<string>? parameters, CancellationToken token)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("method", method);
            if (parameters is not null)
            {
                writer.WriteStartArray("params");
                foreach (var p in parameters)
                {
                    writer.WriteStringValue(p);
                }

                writer.WriteEndArray();
            }

            writer.WriteNumber("id", id);
            writer.WriteEndObject();
        }

        try
        {
            await SendPacedAsync(output.WrittenMemory, token);
            var answer = await waiter.Task.WaitAsync(_options.RequestTimeout, _time, token);
            using var doc = JsonDocument.Parse(answer);
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"{method} refused: {error.GetRawText()}");
            }

            return answer;
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

    // At most one message per SendInterval on this connection (Binance counts incoming messages per connection).
    private async Task SendPacedAsync(ReadOnlyMemory<byte> message, CancellationToken token)
    {
        await _sendLock.WaitAsync(token);
        try
        {
            if (_lastSend != long.MinValue)
            {
                var wait = _options.SendInterval - _time.GetElapsedTime(_lastSend);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, token);
                }
            }

            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, token);
            _lastSend = _time.GetTimestamp();
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
