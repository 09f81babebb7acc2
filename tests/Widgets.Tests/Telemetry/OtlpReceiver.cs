using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Widgets.Tests.Infrastructure;

namespace Widgets.Tests.Telemetry;

/// <summary>One span as an OTLP exporter sent it.</summary>
public sealed record ReceivedSpan(string Scope, string Name, string TraceId, string SpanId, string ParentSpanId);

/// <summary>
/// An OTLP/HTTP receiver on loopback: takes <c>POST /v1/traces</c> (protobuf, as the exporter sends with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>) and reads each span's scope, name and ids with a minimal protobuf
/// reader; <c>/v1/metrics</c> and <c>/v1/logs</c> are accepted and counted.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> spans = new();
    private readonly WebApplication app;
    private int metricExports;

    private OtlpReceiver()
    {
        app = LoopbackStub.Create();
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in ReadSpans(body.ToArray()))
            {
                spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () =>
        {
            Interlocked.Increment(ref metricExports);
            return Results.Bytes([], "application/x-protobuf");
        });
    }

    /// <summary><c>http://127.0.0.1:PORT</c>: what <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> points at.</summary>
    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<ReceivedSpan> Spans => spans.ToArray();

    public int MetricExports => Volatile.Read(ref metricExports);

    public static OtlpReceiver Start()
    {
        var receiver = new OtlpReceiver();
        receiver.Endpoint = LoopbackStub.Start(receiver.app);
        return receiver;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    // ExportTraceServiceRequest: 1 resource_spans; ResourceSpans: 2 scope_spans; ScopeSpans: 1 scope, 2 spans;
    // InstrumentationScope: 1 name; Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name.
    private static IEnumerable<ReceivedSpan> ReadSpans(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans, 1).Select(s => Text(Fields(s, 1).FirstOrDefault())).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    yield return new ReceivedSpan(scope, Text(Fields(span, 5).FirstOrDefault()),
                        Hex(Fields(span, 1).FirstOrDefault()), Hex(Fields(span, 2).FirstOrDefault()), Hex(Fields(span, 4).FirstOrDefault()));
                }
            }
        }
    }

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of one message; other fields are skipped.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var (field, wireType) = ((int)(key >> 3), (int)(key & 7));
            switch (wireType)
            {
                case 0:
                    Varint(message, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if (field == number)
                    {
                        found.Add(message[at..(at + length)]);
                    }

                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {wireType} at {at} is not protobuf this receiver reads.");
            }
        }

        return found;
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexString(bytes);
}
