using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace Widgets.Gateway.Http;

/// <summary>
/// Kestrel refuses a request it cannot parse (an encoded NUL — <c>%00</c> — in the path, a malformed request line or
/// header, headers over the limit) itself, before any application code runs: an empty 4xx with
/// <c>Content-Length: 0</c> and <c>Connection: close</c>. The framework has no hook for that answer's body
/// (aspnet/KestrelHttpServer#2947: "this category of errors is not customisable"), so this connection middleware
/// recognises exactly that answer on its way out and gives it a problem+json body with the <c>code</c> every other
/// refusal of this service has. Everything else passes through untouched.
/// </summary>
internal static class ParserRefusals
{
    /// <summary>Adds the rewriting to every endpoint Kestrel listens on (Urls, configuration or code).</summary>
    public static void UseProblemJsonForParserRefusals(this KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            connection.Transport = new RewritingTransport(connection.Transport);
            return next(connection);
        }));

    private static readonly byte[] StatusLinePrefix = "HTTP/1.1 4"u8.ToArray();
    private static readonly byte[] EmptyBody = "\r\nContent-Length: 0\r\n"u8.ToArray();
    private static readonly byte[] Close = "\r\nConnection: close\r\n"u8.ToArray();
    private static readonly byte[] HeadersEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentTypeHeader = "\r\nContent-Type:"u8.ToArray();

    /// <summary>
    /// Kestrel's own refusal is its whole answer in one write: a 4xx status line, <c>Content-Length: 0</c>,
    /// <c>Connection: close</c>, no <c>Content-Type</c>, nothing after the headers. Every answer of the application
    /// carries a <c>Content-Type</c> (problem+json at the least), so none of them looks like this.
    /// </summary>
    internal static bool IsParserRefusal(ReadOnlySpan<byte> written, out int status)
    {
        status = 0;
        if (written.Length > 1024 || !written.StartsWith(StatusLinePrefix) || !written.EndsWith(HeadersEnd)
            || written.IndexOf(EmptyBody) < 0 || written.IndexOf(Close) < 0 || written.IndexOf(ContentTypeHeader) >= 0
            || !int.TryParse(written.Slice("HTTP/1.1 ".Length, 3), out status))
        {
            return false;
        }

        return true;
    }

    /// <summary>The same answer with a problem+json body: its headers but a Content-Type and the body's length.</summary>
    internal static byte[] WithProblemBody(ReadOnlySpan<byte> refusal, int status)
    {
        var code = status == ProblemCodes.PayloadTooLarge.Status ? ProblemCodes.PayloadTooLarge : ProblemCodes.BadRequest;
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["title"] = status == code.Status ? code.Title : ReasonPhrases.GetReasonPhrase(status),
            ["status"] = status,
            ["detail"] = "The request could not be parsed (its request line, path or headers are malformed, e.g. an encoded NUL in the path, "
                + "or too large); nothing was done. Send a well-formed HTTP/1.1 request.",
            ["code"] = code.Code,
        });
        var headers = Encoding.ASCII.GetString(refusal[..(refusal.Length - 2)])
            .Replace("\r\nContent-Length: 0\r\n", $"\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(headers + "\r\n"), .. body];
    }

    private sealed class RewritingTransport(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input { get; } = inner.Input;

        public PipeWriter Output { get; } = new RewritingWriter(inner.Output);
    }

    /// <summary>Passes every write through; a write that is a whole parser refusal goes out with its body instead.</summary>
    private sealed class RewritingWriter(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> lastBuffer;

        public override Memory<byte> GetMemory(int sizeHint = 0) => lastBuffer = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            var written = lastBuffer.Span[..bytes];
            if (IsParserRefusal(written, out var status))
            {
                var replacement = WithProblemBody(written, status);
                inner.Write(replacement); // nothing of the refusal was advanced: the buffer is simply written over
                return;
            }

            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
