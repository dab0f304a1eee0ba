using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Fetching;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Fetching;

public sealed class FetchQueueTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Requests_BeyondTheQueue_GetABusyErrorInsteadOfSilence()
    {
        await using var env = await ProxyTestEnvironment.StartAsync(output, new Dictionary<string, string> { [ProxyVariables.MaxConcurrentFetches] = "1" });

        // A "registry" that accepts connections and never answers keeps the one fetch slot busy.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentQueue<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Enqueue(await silent.AcceptSocketAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Listener stopped.
            }
        });
        var host = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var names = Enumerable.Range(0, FetchCoordinator.QueueCapacity + 3).Select(i => $"{host}/apps/slow{i}:v1").ToList();

        foreach (var name in names)
        {
            await env.RequestAsync(name);
        }

        var busy = await Eventually.ValueAsync(
            () => Task.FromResult(env.Statuses.FirstOrDefault(s => s.Error?.StartsWith("proxy is busy", StringComparison.Ordinal) == true)),
            _ => true,
            "a busy error");
        Assert.Equal($"proxy is busy: {FetchCoordinator.QueueCapacity} fetches are already waiting; try again later", busy.Error);
        Assert.Contains(busy.AppName, names.Skip(FetchCoordinator.QueueCapacity));

        // Let the held fetches fail fast so the proxy can drain.
        silent.Stop();
        foreach (var socket in held.ToList())
        {
            socket.Dispose();
        }

        await accepting;
        await env.IdleAsync();
        Assert.Equal(names.Count, env.Statuses.Select(s => s.AppName).Distinct().Count());
    }
}
