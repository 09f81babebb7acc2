using Xunit;

namespace Widgets.Tests.Cluster;

/// <summary>
/// The cluster fault tests kill silos and start whole clusters of processes; they run one at a time and after the
/// parallel tests, so their timing bounds (a timeout fires within its deadline plus a reminder period) measure the
/// product rather than a machine busy with other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterFaultCollection
{
    public const string Name = "Cluster faults";
}
