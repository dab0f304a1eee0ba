using Propeller.Manager.Errors;

namespace Propeller.Manager.Proplets;

/// <summary>The <c>status</c> filter of <c>GET /proplets</c>: <c>active</c>, <c>inactive</c> or none.</summary>
internal static class PropletStatusFilter
{
    public const string Active = "active";
    public const string Inactive = "inactive";

    /// <summary>True for active, false for inactive, null for no filter; anything else is a 400.</summary>
    public static bool? Parse(string? status) => status switch
    {
        null or "" => null,
        Active => true,
        Inactive => false,
        _ => throw new InvalidRequestException($"invalid value: invalid proplet status '{status}' (use {Active} or {Inactive})"),
    };
}
