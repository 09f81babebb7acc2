using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Storage;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process (the <c>SmtpServer</c> library) on a free loopback port: the gateway
/// delivers to it with MailKit exactly as it would to a mail relay, and tests read back what arrived.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> received = new();
    private readonly CancellationTokenSource stop = new();
    private Task running = Task.CompletedTask;

    public int Port { get; private set; }

    public IReadOnlyList<MimeMessage> Received => received.ToArray();

    /// <summary>Where it listens: loopback unless a test's own network needs it elsewhere.</summary>
    public IPAddress Address { get; private set; } = IPAddress.Loopback;

    public async Task StartAsync(int port, IPAddress? address = null)
    {
        Port = port;
        Address = address ?? IPAddress.Loopback;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(Address, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
        await Eventually.Holds(AcceptsConnections, TimeSpan.FromSeconds(10), $"the SMTP sink to listen on port {port}");
    }

    /// <summary>Messages whose recipients include <paramref name="address"/>.</summary>
    public IReadOnlyList<MimeMessage> To(string address) =>
        received.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Waits for the first message to <paramref name="address"/>.</summary>
    public async Task<MimeMessage> WaitForMessageTo(string address, TimeSpan within)
    {
        var messages = await Eventually.Returns(() => Task.FromResult(To(address)), m => m.Count > 0, within, $"an email to {address}");
        return messages[0];
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task<bool> AcceptsConnections()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Address, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            sink.received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpServer.Protocol.SmtpResponse.Ok;
        }
    }
}
