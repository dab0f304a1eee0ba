namespace Propeller.Manager.Proplets;

/// <summary>Human-readable proplet names: two given names joined by a dash ("Morgan-Riley"), as the original.</summary>
internal static class PropletNames
{
    private static readonly string[] GivenNames =
    [
        "Alex", "Avery", "Bailey", "Blake", "Cameron", "Casey", "Charlie", "Dakota", "Devon", "Drew",
        "Elliot", "Emerson", "Finley", "Harper", "Hayden", "Jamie", "Jesse", "Jordan", "Kai", "Kendall",
        "Logan", "Morgan", "Parker", "Peyton", "Quinn", "Reese", "Riley", "Rowan", "Sage", "Sawyer",
        "Skyler", "Spencer", "Sydney", "Taylor", "Tatum", "Blair", "Ellis", "Frankie", "Jody", "Marley",
    ];

    public static string Next() =>
        $"{GivenNames[Random.Shared.Next(GivenNames.Length)]}-{GivenNames[Random.Shared.Next(GivenNames.Length)]}";
}
