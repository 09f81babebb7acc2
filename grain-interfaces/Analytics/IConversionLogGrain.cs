using Widgets.Sessions;

namespace Widgets.Analytics;

/// <summary>What customers submitted at a location on one UTC day (key: location/yyyy-MM-dd).</summary>
public interface IConversionLogGrain : IGrainWithStringKey
{
    /// <summary>Appends a conversion; a second one of the same session is ignored, so a retry never counts twice.</summary>
    Task Append(ConversionRecord record);

    [ReadOnly]
    Task<IReadOnlyList<ConversionRecord>> List();
}
