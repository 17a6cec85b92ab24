using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace TradeStat.Tests.Fakes;

// The bytes under the WebSocket: the client's frames, walked to count every incoming message (pongs included, which
// WebSocket.ReceiveAsync never returns) and to read pong payloads; and the server's pings, written between the frames
// the WebSocket writes.
public sealed partial class FakeBinanceExchange
{
    /// <summary>
    /// One connection's wire. Incoming data messages (counted at their final frame), pings and pongs are timed on the
    /// real clock; the first message past <see cref="IncomingMessageLimit"/> within one second reports how many data
    /// messages came before it, so that the connection still answers those and closes right after. Pings are sent here,
    /// and a pong is an answer only when it echoes a ping's payload, as Binance asks.
    /// </summary>
    private sealed class Wire(FakeBinanceExchange exchange)
    {
        private const int Kept = 64;
        private readonly long[] _times = new long[Kept];
        private readonly Lock _lock = new();
        private readonly Queue<(long Payload, long SentAt)> _unanswered = new();
        private int _next;
        private int _stored;
        private int _dataMessages;
        private bool _exceeded;
        private int _exceededAfter = -1;
        private Action<int>? _onExceeded;

        /// <summary>The upgraded stream, once the handshake is done.</summary>
        public FrameCountingStream? Stream { get; set; }

        /// <summary>When the oldest ping still unanswered was sent (a <see cref="Stopwatch"/> timestamp), if any.</summary>
        public long? UnansweredSince
        {
            get
            {
                lock (_lock)
                {
                    return _unanswered.Count > 0 ? _unanswered.Peek().SentAt : null;
                }
            }
        }

        /// <summary>Calls <paramref name="handler"/> when the limit is passed (at once if it already was).</summary>
        public void OnExceeded(Action<int> handler)
        {
            int after;
            lock (_lock)
            {
                _onExceeded = handler;
                after = _exceededAfter;
            }

            if (after >= 0)
            {
                handler(after);
            }
        }

        /// <summary>Sends a ping carrying <paramref name="payload"/> (8 bytes, big-endian).</summary>
        public async Task PingAsync(long payload, CancellationToken token)
        {
            var frame = new byte[10];
            frame[0] = 0x89; // FIN, ping
            frame[1] = 8; // unmasked: the server never masks
            BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(2), payload);
            lock (_lock)
            {
                _unanswered.Enqueue((payload, Stopwatch.GetTimestamp()));
            }

            await Stream!.WriteFrameAsync(frame, token);
        }

        /// <summary>A pong's payload: it answers the ping it echoes and every earlier one.</summary>
        public void OnPong(ReadOnlySpan<byte> payload)
        {
            if (payload.Length != 8)
            {
                return;
            }

            var echoed = BinaryPrimitives.ReadInt64BigEndian(payload);
            lock (_lock)
            {
                if (_unanswered.Any(p => p.Payload == echoed))
                {
                    while (_unanswered.TryDequeue(out var p) && p.Payload != echoed)
                    {
                        // Answered by the later pong.
                    }
                }
            }
        }

        public void OnFrame(int opcode, bool final)
        {
            var data = final && opcode is 0x0 or 0x1 or 0x2;
            var control = opcode is 0x9 or 0xA;
            if (opcode == 0xA)
            {
                Interlocked.Increment(ref exchange._pongsReceived);
            }

            if (!data && !control)
            {
                return;
            }

            Action<int>? report = null;
            int before;
            lock (_lock)
            {
                before = _dataMessages;
                if (data)
                {
                    _dataMessages++;
                }

                if (_exceeded)
                {
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                _times[_next] = now;
                _next = (_next + 1) % Kept;
                _stored = Math.Min(_stored + 1, Kept);
                var inLastSecond = 0;
                for (var k = 0; k < _stored; k++)
                {
                    if (now - _times[k] < Stopwatch.Frequency)
                    {
                        inLastSecond++;
                    }
                }

                exchange.RecordMessageRate(inLastSecond);
                if (inLastSecond > exchange.IncomingMessageLimit)
                {
                    _exceeded = true;
                    _exceededAfter = before;
                    report = _onExceeded;
                }
            }

            report?.Invoke(before);
        }
    }

    /// <summary>The upgrade of a WebSocket request, with the connection's bytes going through a <see cref="FrameCountingStream"/>.</summary>
    private sealed class FrameCountingUpgrade(IHttpUpgradeFeature inner, Wire wire) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync()
        {
            var stream = new FrameCountingStream(await inner.UpgradeAsync(), wire);
            wire.Stream = stream;
            return stream;
        }
    }

    /// <summary>
    /// The server's side of an upgraded connection. Reads pass through unchanged while the client's frames (RFC 6455
    /// 5.2: a 2-byte header, a 16- or 64-bit length when the 7-bit one is 126 or 127, a 4-byte mask, the payload) are
    /// walked: each header reported with its opcode and FIN bit, each pong's payload unmasked and reported. Writes are
    /// serialised, so a ping written here never lands inside a frame the WebSocket is writing (it writes a frame per call).
    /// </summary>
    private sealed class FrameCountingStream(Stream inner, Wire wire) : Stream
    {
        private readonly byte[] _header = new byte[14];
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly byte[] _pong = new byte[125];
        private int _headerLength;
        private long _payloadLeft;
        private int _pongLength = -1;
        private int _pongRead;
        private int _maskAt;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>Writes one whole frame of the server's own between the WebSocket's frames.</summary>
        public Task WriteFrameAsync(byte[] frame, CancellationToken token) => WriteAsync(frame, token).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Walk(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Walk(buffer.AsSpan(offset, read));
            return read;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _writing.WaitAsync(cancellationToken);
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
            finally
            {
                _writing.Release();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _writing.Wait();
            try
            {
                inner.Write(buffer, offset, count);
            }
            finally
            {
                _writing.Release();
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();

        private void Walk(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (_payloadLeft > 0)
                {
                    var take = (int)Math.Min(_payloadLeft, bytes.Length);
                    if (_pongLength >= 0)
                    {
                        for (var i = 0; i < take; i++, _pongRead++)
                        {
                            _pong[_pongRead] = (byte)(bytes[i] ^ (_maskAt > 0 ? _header[_maskAt + (_pongRead % 4)] : 0));
                        }
                    }

                    _payloadLeft -= take;
                    bytes = bytes[take..];
                    if (_payloadLeft == 0)
                    {
                        EndPayload();
                    }

                    continue;
                }

                _header[_headerLength++] = bytes[0];
                bytes = bytes[1..];
                if (_headerLength < 2 || _headerLength < HeaderSize())
                {
                    continue;
                }

                var opcode = _header[0] & 0x0F;
                wire.OnFrame(opcode, (_header[0] & 0x80) != 0);
                var length7 = _header[1] & 0x7F;
                _payloadLeft = length7 switch
                {
                    126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
                    127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
                    var length => length,
                };
                _maskAt = (_header[1] & 0x80) != 0 ? HeaderSize() - 4 : 0;
                _pongLength = opcode == 0xA && _payloadLeft <= _pong.Length ? (int)_payloadLeft : -1;
                _pongRead = 0;
                _headerLength = 0;
                if (_payloadLeft == 0)
                {
                    EndPayload();
                }
            }
        }

        private void EndPayload()
        {
            if (_pongLength >= 0)
            {
                wire.OnPong(_pong.AsSpan(0, _pongLength));
                _pongLength = -1;
            }
        }

        private int HeaderSize()
        {
            var length = _header[1] & 0x7F;
            var extended = length == 126 ? 2 : length == 127 ? 8 : 0;
            var mask = (_header[1] & 0x80) != 0 ? 4 : 0;
            return 2 + extended + mask;
        }
    }
}
