using Microsoft.AspNetCore.Http;
using Propeller.Manager.Plugins;

namespace Propeller.Manager.Tests.Plugins;

public sealed class PluginUserTests
{
    [Fact]
    public void Current_OutsideARequest_IsSystem() =>
        Assert.Equal("system", new PluginUser(new HttpContextAccessor()).Current);

    [Fact]
    public void Current_RequestWithUserHeader_IsThatUser()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-User-Id"] = "alice";

        Assert.Equal("alice", new PluginUser(new HttpContextAccessor { HttpContext = context }).Current);
    }

    [Fact]
    public void Current_RequestWithoutUserHeader_IsNoUser() =>
        Assert.Null(new PluginUser(new HttpContextAccessor { HttpContext = new DefaultHttpContext() }).Current);
}
