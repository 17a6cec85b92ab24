using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Net.Http.Headers;
using TradeStat.Api.Requests;

namespace TradeStat.Api.Formatting;

/// <summary>
/// MVC input formatter for <see cref="AddBatchRequest"/>: buffers the body in the request pipe (bounded by
/// Kestrel's MaxRequestBodySize) and hands it to <see cref="AddBatchRequestParser"/>. Other types are left
/// to the default JSON formatter.
/// </summary>
public sealed class AddBatchRequestInputFormatter : InputFormatter
{
    /// <summary>Cancelled reads tolerated per body before the request is given up.</summary>
    private const int MaxCancelledReads = 16;

    private readonly int _maxDepth;

    /// <param name="maxDepth">JSON nesting allowed (TradeStat:MaxJsonDepth); deeper bodies are a 400.</param>
    public AddBatchRequestInputFormatter(int maxDepth = AddBatchRequestParser.DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 2);
        _maxDepth = maxDepth;
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("application/json"));
    }

    /// <inheritdoc />
    protected override bool CanReadType(Type type) => type == typeof(AddBatchRequest);

    /// <inheritdoc />
    /// <remarks>JSON is UTF-8 (RFC 8259 §8.1): any other declared charset is refused with 415.</remarks>
    public override bool CanRead(InputFormatterContext context)
    {
        if (!base.CanRead(context))
        {
            return false;
        }

        var contentType = context.HttpContext.Request.ContentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var charset = mediaType.Charset;
        return !charset.HasValue
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public override async Task<InputFormatterResult> ReadRequestBodyAsync(InputFormatterContext context)
    {
        var httpContext = context.HttpContext;
        PipeReader pipe = httpContext.Request.BodyReader;
        ReadResult read;
        var cancelledReads = 0;
        while (true)
        {
            read = await pipe.ReadAsync(httpContext.RequestAborted);
            if (read.IsCanceled)
            {
                // A pending read can be cancelled while the server drains for shutdown although the client is still
                // sending: keep reading what has arrived (a request in flight completes). Never parse half a body:
                // if reads keep being cancelled, give up.
                if (++cancelledReads > MaxCancelledReads || httpContext.RequestAborted.IsCancellationRequested)
                {
                    pipe.AdvanceTo(read.Buffer.End);
                    throw new OperationCanceledException("The request body read was cancelled.");
                }

                pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                continue;
            }

            if (read.IsCompleted)
            {
                break;
            }

            // Examine everything, consume nothing: the pipe keeps buffering until the body is complete.
            pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        // The body usually arrives in several pipe segments: one copy into a pooled contiguous buffer lets the
        // parser run over a single span (its fast path), which costs far less than the copy.
        var body = read.Buffer;
        byte[]? contiguous = null;
        if (body.Length > Array.MaxLength)
        {
            pipe.AdvanceTo(read.Buffer.End);
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }

        if (!body.IsSingleSegment)
        {
            contiguous = RequestBuffers.Bodies.Rent((int)body.Length);
            body.CopyTo(contiguous);
            body = new ReadOnlySequence<byte>(contiguous, 0, (int)read.Buffer.Length);
        }

        try
        {
            if (AddBatchRequestParser.TryParse(body, _maxDepth, out var request, out var error))
            {
                httpContext.Response.RegisterForDispose(request!);
                return await InputFormatterResult.SuccessAsync(request);
            }

            context.ModelState.TryAddModelError(error.Member, error.Message);
            return await InputFormatterResult.FailureAsync();
        }
        finally
        {
            pipe.AdvanceTo(read.Buffer.End);
            if (contiguous is not null)
            {
                RequestBuffers.Bodies.Return(contiguous);
            }
        }
    }
}
