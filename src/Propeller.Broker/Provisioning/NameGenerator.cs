namespace Propeller.Broker.Provisioning;

/// <summary>Random human-readable names (<c>adjective-noun</c>) for tenants, channels and entities left unnamed.</summary>
internal static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fancy",
        "gentle", "glad", "golden", "happy", "jolly", "keen", "kind", "lively", "lucky", "merry",
        "mighty", "nimble", "noble", "plucky", "polite", "proud", "quick", "quiet", "rapid", "silver",
        "sleek", "smart", "steady", "sunny", "swift", "tidy", "upbeat", "vivid", "warm", "witty",
    ];

    private static readonly string[] Nouns =
    [
        "albatross", "badger", "beacon", "comet", "condor", "falcon", "ferret", "gecko", "glacier", "harbor",
        "heron", "ibis", "jaguar", "kestrel", "lantern", "lynx", "meadow", "meteor", "nebula", "otter",
        "owl", "panda", "pelican", "pulsar", "quasar", "raven", "reef", "sparrow", "summit", "tern",
        "tiger", "tundra", "valley", "viper", "walrus", "willow", "wombat", "yak", "zebra", "zephyr",
    ];

    public static string Next() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}-{Nouns[Random.Shared.Next(Nouns.Length)]}";
}
