namespace TradeStat.Api.Dashboard;

/// <summary>
/// An endpoint whose requests last as long as the client stays (a live stream): never reported as a slow request.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class LongLivedAttribute : Attribute;
