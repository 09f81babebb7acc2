using System.Security.Cryptography.X509Certificates;
using Widgets.Hosting;
using Xunit;
using static Widgets.Tests.Deploy.TestCertificates;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Mutual TLS between silos and gateways (<c>Orleans:Tls</c>): a peer is accepted when its certificate chains to the
/// deployment's own CA and to nothing else; a configuration that cannot work stops the host with the fix.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("widgets-tls-").FullName;

    [Fact]
    public void A_peer_certificate_from_the_deployment_CA_is_accepted_and_one_from_another_CA_or_self_signed_is_not()
    {
        using var ca = Authority("widgets-cluster-ca");
        using var otherCa = Authority("someone-else");
        using var node = Issue(ca, "silo-1");
        using var stranger = Issue(otherCa, "silo-1");
        using var selfSigned = SelfSigned("silo-1");

        Assert.True(ClusterTls.ChainsTo(node, [ca]));
        Assert.False(ClusterTls.ChainsTo(stranger, [ca]));
        Assert.False(ClusterTls.ChainsTo(selfSigned, [ca]));
    }

    [Fact]
    public void PEM_files_as_the_docs_make_them_load_with_their_key()
    {
        using var ca = Authority("widgets-cluster-ca");
        using var node = Issue(ca, "gateway-1");
        var tls = new ClusterTls
        {
            CertificatePath = Write("node.pem", node.ExportCertificatePem()),
            KeyPath = Write("node.key", node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()),
            CaPath = Write("ca.pem", ca.ExportCertificatePem()),
        };

        var (certificate, authorities) = tls.Load();

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(ca.Thumbprint, Assert.Single(authorities).Thumbprint);
    }

    [Fact]
    public void A_certificate_without_a_CA_to_check_peers_against_stops_the_host_naming_the_setting()
    {
        var tls = new ClusterTls { CertificatePath = Write("node.pem", "") };

        var refusal = Assert.Throws<InvalidOperationException>(() => tls.Load());

        Assert.Contains("Orleans:Tls:CaPath", refusal.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
