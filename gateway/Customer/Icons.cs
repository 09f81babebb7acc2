namespace Widgets.Gateway.Customer;

/// <summary>Inline SVG icons (no external resources); decorative, so hidden from screen readers.</summary>
internal static class Icons
{
    public const string Check =
        "<svg class=\"icon icon-ok\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\"/>"
        + "<path d=\"M14 24.5l7 7 13-14\" fill=\"none\" stroke=\"#fff\" stroke-width=\"4.5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>";

    public const string Phone =
        "<svg class=\"icon icon-info\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\"/>"
        + "<rect x=\"17\" y=\"10\" width=\"14\" height=\"28\" rx=\"3\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3\"/>"
        + "<circle cx=\"24\" cy=\"33\" r=\"1.8\" fill=\"#fff\"/></svg>";

    public const string Clock =
        "<svg class=\"icon icon-muted\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\"/>"
        + "<path d=\"M24 12v13l8 5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"4\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>";

    public const string Alert =
        "<svg class=\"icon icon-warn\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\"/>"
        + "<path d=\"M24 13v14\" stroke=\"#fff\" stroke-width=\"4.5\" stroke-linecap=\"round\"/><circle cx=\"24\" cy=\"34\" r=\"2.6\" fill=\"#fff\"/></svg>";
}
