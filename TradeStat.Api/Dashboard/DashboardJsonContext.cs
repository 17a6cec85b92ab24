using System.Text.Json.Serialization;

namespace TradeStat.Api.Dashboard;

/// <summary>Source-generated JSON metadata of the dashboard's own small types.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
