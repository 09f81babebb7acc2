namespace Widgets.Keys;

/// <summary>Builds the string keys of grains whose identity is composite, in one place.</summary>
public static class GrainKeys
{
    public static string Widget(LocationKey location, int widgetId) => $"{location}/{widgetId}";

    public static string Terminal(LocationKey location, string terminalId) => $"{location}/{terminalId}";

    public static string LocationDay(LocationKey location, DateOnly day) => $"{location}/{day:yyyy-MM-dd}";

    public static (LocationKey Location, DateOnly Day) ParseLocationDay(string key)
    {
        var at = key.LastIndexOf('/');
        return (LocationKey.Parse(key[..at]), DateOnly.ParseExact(key[(at + 1)..], "yyyy-MM-dd"));
    }

    public static (LocationKey Location, string TerminalId) ParseTerminal(string key)
    {
        var at = key.LastIndexOf('/');
        return (LocationKey.Parse(key[..at]), key[(at + 1)..]);
    }

    public static (LocationKey Location, int WidgetId) ParseWidget(string key)
    {
        var at = key.LastIndexOf('/');
        return (LocationKey.Parse(key[..at]), int.Parse(key[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public const string ClientDirectory = "all";
}
