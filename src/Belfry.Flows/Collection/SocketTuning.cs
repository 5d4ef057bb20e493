using System.Net.Sockets;

namespace Belfry.Flows.Collection;

/// <summary>Socket options the BCL has no property for.</summary>
internal static class SocketTuning
{
    const int SolSocket = 1;
    const int SoReusePort = 15;
    const int SoRcvBufForce = 33;

    /// <summary>SO_REUSEPORT, so several sockets (loops) share one port (Linux load-balances by 4-tuple hash).</summary>
    public static void EnableReusePort(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Several receive loops per endpoint need SO_REUSEPORT (Linux).");
        }
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
    }

    public static void SetReceiveBuffer(Socket socket, int bytes, bool force)
    {
        if (force && OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(bytes));
                return;
            }
            catch (SocketException)
            {
                // No CAP_NET_ADMIN: fall back to the capped SO_RCVBUF.
            }
        }
        socket.ReceiveBufferSize = bytes;
    }
}
