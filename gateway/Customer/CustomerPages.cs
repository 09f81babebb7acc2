namespace Widgets.Gateway.Customer;

/// <summary>The public pages behind customer links: the screen page with its QR code, and the mobile landing page.</summary>
public static class CustomerPages
{
    public static IEndpointRouteBuilder MapCustomerPages(this IEndpointRouteBuilder app) => app;
}
