using Microsoft.AspNetCore.Http.HttpResults;

namespace Widgets.Gateway.Http;

/// <summary>Builds problem+json answers from <see cref="ProblemCodes"/>; domain failures are mapped here, once.</summary>
public static class Problems
{
    public static ProblemHttpResult From<T>(Outcome<T> outcome) =>
        outcome.Error == DomainError.Validation && outcome.Errors is { } errors
            ? Validation(errors.ToDictionary(e => e.Key, e => e.Value))
            : Of(ProblemCodes.For(outcome.Error), outcome.Detail);

    public static ProblemHttpResult Of(ProblemCode code, string? detail = null) =>
        TypedResults.Problem(detail ?? code.Meaning, statusCode: code.Status, title: code.Title,
            extensions: new Dictionary<string, object?> { ["code"] = code.Code });

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = ProblemCodes.ValidationFailed.Status,
            Title = ProblemCodes.ValidationFailed.Title,
            Detail = detail ?? "One or more fields are invalid.",
            Extensions = { ["code"] = ProblemCodes.ValidationFailed.Code },
        });

    public static ProblemHttpResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });
}
