using Propeller.Testing;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// One real mosquitto for the whole test run, anonymous access allowed. Tests isolate themselves by using their
/// own tenant and channel, so they can share it and still run in parallel.
/// </summary>
internal static class MosquittoBroker
{
    private static readonly Lazy<Task<MosquittoProcess>> Shared = new(StartAsync);

    public static Task<MosquittoProcess> GetAsync() => Shared.Value;

    private static async Task<MosquittoProcess> StartAsync()
    {
        var broker = await MosquittoProcess.StartAsync(extraConfig: ["max_queued_messages 100000"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => broker.Stop();
        return broker;
    }
}
