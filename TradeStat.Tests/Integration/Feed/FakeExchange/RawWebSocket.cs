using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// A WebSocket client over a plain TCP socket (RFC 6455 framing by hand), for what ClientWebSocket cannot do: send
/// pongs on demand and several frames in one write, so that a test controls exactly which messages the server counts.
/// Server pings are not answered.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    public const int Text = 0x1;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Opens <paramref name="pathAndQuery"/> on the server at <paramref name="baseUrl"/> (a loopback ws:// URL).</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri baseUrl, string pathAndQuery, CancellationToken token)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", baseUrl.Port, token);
        var socket = new RawWebSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{baseUrl.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request), token);

        // The response head, byte by byte up to the blank line, so that no frame after it is consumed.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192)
        {
            if (await socket._stream.ReadAsync(one, token) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        if (!head.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            await socket.DisposeAsync();
            throw new InvalidOperationException("WebSocket handshake refused: " + head.ToString().Split("\r\n")[0]);
        }

        return socket;
    }

    /// <summary>A masked, final client frame.</summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload)
    {
        var extra = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + extra + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (extra == 0)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (extra == 2)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        mask.CopyTo(frame, 2 + extra);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[2 + extra + 4 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        return frame;
    }

    public static byte[] TextFrame(string text) => Frame(Text, Encoding.UTF8.GetBytes(text));

    public static byte[] PongFrame() => Frame(Pong, []);

    /// <summary>Sends the frames in one write: the server reads them back to back.</summary>
    public async Task SendAsync(IEnumerable<byte[]> frames, CancellationToken token) =>
        await _stream.WriteAsync(frames.SelectMany(f => f).ToArray(), token);

    /// <summary>The next frame from the server, or null when the connection ended (EOF or reset).</summary>
    public async Task<(int Opcode, byte[] Payload)?> ReceiveAsync(CancellationToken token)
    {
        try
        {
            var header = new byte[2];
            if (!await ReadExactlyAsync(header, token))
            {
                return null;
            }

            long length = header[1] & 0x7F;
            if (length >= 126)
            {
                var extended = new byte[length == 126 ? 2 : 8];
                if (!await ReadExactlyAsync(extended, token))
                {
                    return null;
                }

                length = extended.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
            }

            var payload = new byte[length];
            return await ReadExactlyAsync(payload, token) ? (header[0] & 0x0F, payload) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The next text message, skipping control frames; null when a close frame or the end came first.</summary>
    public async Task<string?> ReceiveTextAsync(CancellationToken token)
    {
        for (var i = 0; i < 1000; i++)
        {
            var frame = await ReceiveAsync(token);
            if (frame is null || frame.Value.Opcode == Close)
            {
                return null;
            }

            if (frame.Value.Opcode == Text)
            {
                return Encoding.UTF8.GetString(frame.Value.Payload);
            }
        }

        throw new InvalidOperationException("No text frame among 1000 frames.");
    }

    /// <summary>Reads to the end of the connection; returns the status code of the server's close frame, if one came.</summary>
    public async Task<int?> ReadToCloseAsync(CancellationToken token)
    {
        for (var i = 0; i < 100_000; i++)
        {
            var frame = await ReceiveAsync(token);
            if (frame is null)
            {
                return null;
            }

            if (frame.Value.Opcode == Close)
            {
                return frame.Value.Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame.Value.Payload) : 1005;
            }
        }

        throw new InvalidOperationException("The connection did not end within 100,000 frames.");
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), token);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
