using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Orleans.TestingHost;
using Widgets.Catalogue;
using Widgets.Hosting;
using Widgets.Keys;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Widgets.Tests.Deploy.TestCertificates;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Mutual TLS on the wire (<c>Orleans:Tls</c>, deploy/README.md § 6): two silos with the production silo configuration
/// and certificates from the deployment's CA talk over loopback TCP, serve a client whose certificate that CA issued,
/// and refuse clients whose certificate it did not issue, or that speak no TLS at all.
/// </summary>
public sealed class ClusterTlsHandshakeTests(TlsClusterFixture tls, ITestOutputHelper output) : IClassFixture<TlsClusterFixture>
{
    /// <summary>A refusal is a TLS handshake on loopback: it comes in well under this, or the test fails.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Silos_with_certificates_from_the_deployment_CA_form_a_cluster_and_serve_clients_with_one()
    {
        var management = tls.Cluster.Client.GetGrain<IManagementGrain>(0);
        var active = await Eventually.Returns(() => management.GetHosts(onlyActive: true), hosts => hosts.Count == 2, Deadline, "both silos to be active");

        Assert.Equal(tls.Cluster.Silos.Select(s => s.SiloAddress).Order(), active.Keys.Order());
        await AssertServesAsync(tls.Cluster.Client);
        var failure = await ConnectAndCallAsync(tls.IssuedByDeploymentCa("gateway-2"));
        Assert.True(failure is null, $"A client with a certificate from the deployment's CA failed: {failure}");
    }

    [Fact]
    public async Task Every_silo_port_and_gateway_port_speaks_TLS_with_that_silo_s_own_certificate()
    {
        foreach (var silo in tls.Cluster.Silos)
        {
            var own = tls.SiloCertificates[silo.Name].Thumbprint;
            Assert.Equal(own, await PresentedCertificateAsync(silo.SiloAddress.Endpoint));
            Assert.Equal(own, await PresentedCertificateAsync(silo.GatewayAddress.Endpoint));
        }
    }

    [Theory]
    [InlineData("another CA")]
    [InlineData("self-signed")]
    public async Task A_client_whose_certificate_is_not_from_the_deployment_CA_is_refused_and_the_silos_keep_serving(string issuer)
    {
        using var otherCa = Authority("someone-else");
        using var certificate = issuer == "self-signed" ? SelfSigned("gateway-1") : Issue(otherCa, "gateway-1");

        // The client trusts the deployment's CA, so it accepts the silos: the refusal is theirs.
        var refusal = await ConnectAndCallAsync(tls.Node(certificate, $"stranger-{issuer.Replace(' ', '-')}"));

        Assert.IsType<ConnectionFailedException>(refusal);
        await AssertServesAsync(tls.Cluster.Client);
    }

    [Fact]
    public async Task A_client_without_TLS_is_refused_and_the_silos_keep_serving()
    {
        var refusal = await ConnectAndCallAsync(new ClusterTls());

        Assert.IsType<ConnectionFailedException>(refusal);
        await AssertServesAsync(tls.Cluster.Client);
    }

    /// <summary>A grain call that writes to storage and reads it back succeeds.</summary>
    private static async Task AssertServesAsync(IGrainFactory grains)
    {
        var location = grains.GetGrain<ILocationGrain>(LocationKey.Create("tls", $"store-{Guid.NewGuid():N}"[..24]).ToString());

        await location.PutTerminal("lane-01", "Lane 1");

        Assert.Equal("lane-01", Assert.Single(await location.GetTerminals()).TerminalId);
    }

    /// <summary>
    /// Starts a client configured as a cluster-mode gateway's is (<c>UseWidgetsTls</c>, here with
    /// <paramref name="clientTls"/>) against both silos' gateways and makes a grain call; returns why it could not, or
    /// null when it could. Orleans retries a failed first connection 15 times by default: here the first refusal is the
    /// answer, and neither a connection nor a refusal within the deadline fails the test.
    /// </summary>
    private async Task<Exception?> ConnectAndCallAsync(ClusterTls clientTls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering(tls.Cluster.Silos.Select(s => s.GatewayAddress.Endpoint).ToArray())
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = tls.Cluster.Options.ClusterId;
                o.ServiceId = tls.Cluster.Options.ServiceId;
            })
            .UseWidgetsTls(clientTls)
            .UseConnectionRetryFilter((_, _) => Task.FromResult(false)));
        using var host = builder.Build();
        using var deadline = new CancellationTokenSource(Deadline);
        var watch = Stopwatch.StartNew();

        var failure = await Record.ExceptionAsync(async () =>
        {
            await host.StartAsync(deadline.Token);
            await AssertServesAsync(host.Services.GetRequiredService<IClusterClient>()).WaitAsync(deadline.Token);
        });

        output.WriteLine(failure is null
            ? $"connected and served in {watch.Elapsed.TotalSeconds:0.0} s"
            : $"failed after {watch.Elapsed.TotalSeconds:0.0} s: {failure.GetType().Name}: {failure.Message} {failure.InnerException?.Message}");
        Assert.False(deadline.IsCancellationRequested, $"The client was neither served nor refused within {Deadline.TotalSeconds} s.");
        using var stopping = new CancellationTokenSource(Deadline);
        await host.StopAsync(stopping.Token);
        return failure;
    }

    /// <summary>The certificate a TLS client (with a certificate from the deployment's CA) is shown at <paramref name="endpoint"/>.</summary>
    private async Task<string> PresentedCertificateAsync(IPEndPoint endpoint)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint, deadline.Token);
        await using var stream = new SslStream(tcp.GetStream());
        await stream.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "widgets-silo",
                ClientCertificates = [tls.ClientCertificate],

                // Accept whatever is shown: the test compares it with the silo's own below.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            deadline.Token);
        return stream.RemoteCertificate!.GetCertHashString();
    }
}

/// <summary>
/// Two silos as <see cref="WidgetsTestCluster"/> deploys them, each with its own certificate from one CA, and the test
/// cluster's client with a third (PEM files, as deploy/README.md makes them), all read from <c>Orleans:Tls</c>.
/// </summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    /// <summary>Per host (silo name, or <see cref="ClientName"/>): that host's <c>CertificatePath</c> and <c>KeyPath</c>.</summary>
    private const string CertificatesSection = "Tests:TlsCertificates";

    private const string ClientName = "client";

    private readonly string folder = Directory.CreateTempSubdirectory("widgets-tls-cluster-").FullName;

    private readonly X509Certificate2 authority = Authority("widgets-cluster-ca");

    public TestCluster Cluster { get; private set; } = null!;

    public TestDataDirectory Data { get; } = new();

    public IReadOnlyDictionary<string, X509Certificate2> SiloCertificates { get; private set; } = null!;

    public X509Certificate2 ClientCertificate { get; private set; } = null!;

    private string CaPath => Path.Combine(folder, "ca.pem");

    public async Task InitializeAsync()
    {
        File.WriteAllText(CaPath, authority.ExportCertificatePem());
        SiloCertificates = new Dictionary<string, X509Certificate2>
        {
            [Silo.PrimarySiloName] = Issue(authority, "silo-1"),
            ["Secondary_1"] = Issue(authority, "silo-2"),
        };
        ClientCertificate = Issue(authority, "gateway-1");
        Cluster = await WidgetsTestCluster.StartAsync(Data.Path, configure: builder =>
        {
            // The test cluster's default transport is in memory: no socket, so nothing on the wire to encrypt or refuse.
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
            builder.Properties["Orleans:Tls:CaPath"] = CaPath;
            foreach (var (host, certificate) in SiloCertificates.Append(new(ClientName, ClientCertificate)))
            {
                var node = Node(certificate, host);
                builder.Properties[$"{CertificatesSection}:{host}:CertificatePath"] = node.CertificatePath!;
                builder.Properties[$"{CertificatesSection}:{host}:KeyPath"] = node.KeyPath!;
            }

            builder.AddSiloBuilderConfigurator<TlsSilo>();
            builder.AddClientBuilderConfigurator<TlsClient>();
        });
    }

    /// <summary>A certificate from the deployment's CA for another host, as PEM files; the settings that name them.</summary>
    public ClusterTls IssuedByDeploymentCa(string name)
    {
        using var certificate = Issue(authority, name);
        return Node(certificate, name);
    }

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files; the settings that name them and the CA.</summary>
    public ClusterTls Node(X509Certificate2 certificate, string name)
    {
        var certificatePath = Path.Combine(folder, $"{name}.pem");
        var keyPath = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new ClusterTls { CertificatePath = certificatePath, KeyPath = keyPath, CaPath = CaPath };
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        Data.Dispose();
        foreach (var certificate in SiloCertificates?.Values ?? [])
        {
            certificate.Dispose();
        }

        ClientCertificate?.Dispose();
        authority.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary><c>Orleans:Tls</c> as production binds it, with this host's own certificate.</summary>
    private static ClusterTls Settings(IConfiguration configuration, string host)
    {
        var tls = ClusterSettings.From(configuration).Tls;
        configuration.GetSection($"{CertificatesSection}:{host}").Bind(tls);
        return tls.Enabled ? tls : throw new InvalidOperationException($"The test wrote no certificate for host '{host}'.");
    }

    private sealed class TlsSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.UseWidgetsTls(Settings(siloBuilder.Configuration, siloBuilder.Configuration["Orleans:Name"]!));
    }

    private sealed class TlsClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseWidgetsTls(Settings(configuration, ClientName));
    }
}
