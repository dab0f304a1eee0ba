namespace Propeller.Manager.Storage;

/// <summary>One page of a listing and the total count before paging.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, ulong Total);
