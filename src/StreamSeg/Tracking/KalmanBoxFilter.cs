using System.Diagnostics;
using StreamSeg.Decode;

namespace StreamSeg.Tracking;

/// <summary>
/// A constant-velocity Kalman filter for one box, in the DeepSORT/ByteTrack formulation: the state is
/// (cx, cy, a, h, vcx, vcy, va, vh) with aspect ratio a = w/h, the measurement is (cx, cy, a, h), and the time step is
/// one frame.
/// </summary>
/// <remarks>
/// Every noise term is proportional to the box height, with a position weight of 1/20 and a velocity weight of 1/160
/// (ByteTrack's <c>_std_weight_position</c> and <c>_std_weight_velocity</c>). The aspect ratio gets fixed noise
/// (1e-2 process, 1e-1 measurement, 1e-5 for its velocity). Heights are clamped to at least 1e-3 pixels so that a
/// degenerate box cannot make the noise vanish. <see cref="Predict"/> and <c>Update</c> allocate nothing.
/// An instance is not thread-safe.
/// </remarks>
public sealed class KalmanBoxFilter
{
    /// <summary>The number of state variables.</summary>
    public const int StateSize = 8;

    /// <summary>The number of measured variables.</summary>
    public const int MeasurementSize = 4;

    private const double StdWeightPosition = 1.0 / 20;
    private const double StdWeightVelocity = 1.0 / 160;
    private const double MinHeight = 1e-3;

    private readonly double[] _mean = new double[StateSize];
    private readonly double[] _covariance = new double[StateSize * StateSize];

    /// <summary>Creates a filter whose state starts at <paramref name="box"/> with zero velocity.</summary>
    public KalmanBoxFilter(in BoxF box)
    {
        Initiate(box);
    }

    /// <summary>Creates a filter whose state starts at the box (<paramref name="x1"/>, <paramref name="y1"/>, <paramref name="x2"/>, <paramref name="y2"/>) with zero velocity.</summary>
    public KalmanBoxFilter(double x1, double y1, double x2, double y2)
    {
        Initiate(x1, y1, x2, y2);
    }

    /// <summary>Gets the state mean (cx, cy, a, h, vcx, vcy, va, vh).</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Gets the 8×8 state covariance, row-major.</summary>
    public ReadOnlySpan<double> Covariance => _covariance;

    /// <summary>Gets the box of the current state mean.</summary>
    public BoxF Box
    {
        get
        {
            GetBox(out double x1, out double y1, out double x2, out double y2);
            return new BoxF((float)x1, (float)y1, (float)x2, (float)y2);
        }
    }

    /// <summary>
    /// Gets the box of the current state mean in double precision, as ByteTrack's <c>STrack.tlbr</c> computes it:
    /// w = a·h, x1 = cx − w/2, y1 = cy − h/2, x2 = x1 + w, y2 = y1 + h.
    /// </summary>
    public void GetBox(out double x1, out double y1, out double x2, out double y2)
    {
        double h = _mean[3];
        double w = _mean[2] * h;
        x1 = _mean[0] - (w / 2);
        y1 = _mean[1] - (h / 2);
        x2 = x1 + w;
        y2 = y1 + h;
    }

    /// <summary>Restarts the filter at <paramref name="box"/> with zero velocity and the initial uncertainty.</summary>
    public void Initiate(in BoxF box) => Initiate(box.X1, box.Y1, box.X2, box.Y2);

    /// <summary>Restarts the filter at the box (<paramref name="x1"/>, <paramref name="y1"/>, <paramref name="x2"/>, <paramref name="y2"/>) with zero velocity and the initial uncertainty.</summary>
    public void Initiate(double x1, double y1, double x2, double y2)
    {
        Span<double> z = stackalloc double[MeasurementSize];
        ToMeasurement(x1, y1, x2, y2, z);
        Array.Clear(_mean);
        z.CopyTo(_mean);
        Array.Clear(_covariance);

        double h = z[3];
        double p = 2 * StdWeightPosition * h;
        double v = 10 * StdWeightVelocity * h;
        SetDiagonal(p, p, 1e-2, p, v, v, 1e-5, v);
    }

    /// <summary>Sets the height velocity to zero, as ByteTrack does before predicting a track that is not being tracked.</summary>
    public void ClearHeightVelocity() => _mean[7] = 0;

    /// <summary>Advances the state by one frame: x ← F·x, P ← F·P·Fᵀ + Q.</summary>
    public void Predict()
    {
        double h = NoiseHeight();
        for (int i = 0; i < 4; i++)
        {
            _mean[i] += _mean[i + 4];
        }

        // F = [[I, I], [0, I]]. Adding row i+4 to row i (i < 4) gives F·P; adding column j+4 to column j (j < 4)
        // then gives F·P·Fᵀ. Both are safe in place because the rows and columns read are never written.
        double[] p = _covariance;
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < StateSize; j++)
            {
                p[(i * StateSize) + j] += p[((i + 4) * StateSize) + j];
            }
        }

        for (int i = 0; i < StateSize; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                p[(i * StateSize) + j] += p[(i * StateSize) + j + 4];
            }
        }

        double q = StdWeightPosition * h;
        double qv = StdWeightVelocity * h;
        AddDiagonal(q, q, 1e-2, q, qv, qv, 1e-5, qv);
    }

    /// <summary>Corrects the state with the measured <paramref name="box"/>.</summary>
    public void Update(in BoxF box) => Update(box.X1, box.Y1, box.X2, box.Y2);

    /// <summary>Corrects the state with the measured box (<paramref name="x1"/>, <paramref name="y1"/>, <paramref name="x2"/>, <paramref name="y2"/>).</summary>
    public void Update(double x1, double y1, double x2, double y2)
    {
        Span<double> z = stackalloc double[MeasurementSize];
        ToMeasurement(x1, y1, x2, y2, z);

        // S = H·P·Hᵀ + R, the top-left 4×4 block of P plus the measurement noise.
        double h = NoiseHeight();
        double r = StdWeightPosition * h;
        Span<double> rDiag = stackalloc double[] { r * r, r * r, 1e-1 * 1e-1, r * r };
        Span<double> s = stackalloc double[MeasurementSize * MeasurementSize];
        for (int i = 0; i < MeasurementSize; i++)
        {
            for (int j = 0; j < MeasurementSize; j++)
            {
                s[(i * MeasurementSize) + j] = _covariance[(i * StateSize) + j];
            }

            s[(i * MeasurementSize) + i] += rDiag[i];
        }

        CholeskyInPlace(s);

        // (P·Hᵀ)ᵀ is the first four rows of P (P is symmetric). Solve S·Kᵀ = (P·Hᵀ)ᵀ one column at a time.
        Span<double> pht = stackalloc double[MeasurementSize * StateSize];
        _covariance.AsSpan(0, MeasurementSize * StateSize).CopyTo(pht);
        Span<double> kt = stackalloc double[MeasurementSize * StateSize];
        Span<double> column = stackalloc double[MeasurementSize];
        for (int c = 0; c < StateSize; c++)
        {
            for (int k = 0; k < MeasurementSize; k++)
            {
                column[k] = pht[(k * StateSize) + c];
            }

            CholeskySolve(s, column);
            for (int k = 0; k < MeasurementSize; k++)
            {
                kt[(k * StateSize) + c] = column[k];
            }
        }

        Span<double> innovation = stackalloc double[MeasurementSize];
        for (int k = 0; k < MeasurementSize; k++)
        {
            innovation[k] = z[k] - _mean[k];
        }

        for (int i = 0; i < StateSize; i++)
        {
            double sum = 0;
            for (int k = 0; k < MeasurementSize; k++)
            {
                sum += kt[(k * StateSize) + i] * innovation[k];
            }

            _mean[i] += sum;
        }

        // P ← P − K·S·Kᵀ = P − (P·Hᵀ)·Kᵀ.
        for (int i = 0; i < StateSize; i++)
        {
            for (int j = 0; j < StateSize; j++)
            {
                double sum = 0;
                for (int k = 0; k < MeasurementSize; k++)
                {
                    sum += pht[(k * StateSize) + i] * kt[(k * StateSize) + j];
                }

                _covariance[(i * StateSize) + j] -= sum;
            }
        }

        // Keep P exactly symmetric so that rounding cannot build up over a long track.
        for (int i = 0; i < StateSize; i++)
        {
            for (int j = i + 1; j < StateSize; j++)
            {
                double avg = 0.5 * (_covariance[(i * StateSize) + j] + _covariance[(j * StateSize) + i]);
                _covariance[(i * StateSize) + j] = avg;
                _covariance[(j * StateSize) + i] = avg;
            }
        }
    }

    /// <summary>Converts a box into the measurement (cx, cy, a, h).</summary>
    public static void ToMeasurement(in BoxF box, Span<double> measurement) => ToMeasurement(box.X1, box.Y1, box.X2, box.Y2, measurement);

    /// <summary>
    /// Converts the box (<paramref name="x1"/>, <paramref name="y1"/>, <paramref name="x2"/>, <paramref name="y2"/>)
    /// into the measurement (cx, cy, a, h) as ByteTrack's <c>tlwh_to_xyah</c> does: w = x2 − x1, h = y2 − y1 (no +1),
    /// cx = x1 + w/2, cy = y1 + h/2, a = w/h.
    /// </summary>
    public static void ToMeasurement(double x1, double y1, double x2, double y2, Span<double> measurement)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(measurement.Length, MeasurementSize, nameof(measurement));
        double w = Math.Max(x2 - x1, 0);

        // A degenerate box would make a = w/h and the noise terms infinite or zero; upstream has no guard.
        double h = Math.Max(y2 - y1, MinHeight);
        measurement[0] = x1 + (w / 2);
        measurement[1] = y1 + (h / 2);
        measurement[2] = w / h;
        measurement[3] = h;
    }

    private double NoiseHeight() => Math.Max(_mean[3], MinHeight);

    private void SetDiagonal(double s0, double s1, double s2, double s3, double s4, double s5, double s6, double s7)
    {
        Array.Clear(_covariance);
        AddDiagonal(s0, s1, s2, s3, s4, s5, s6, s7);
    }

    private void AddDiagonal(double s0, double s1, double s2, double s3, double s4, double s5, double s6, double s7)
    {
        const int d = StateSize + 1;
        _covariance[0 * d] += s0 * s0;
        _covariance[1 * d] += s1 * s1;
        _covariance[2 * d] += s2 * s2;
        _covariance[3 * d] += s3 * s3;
        _covariance[4 * d] += s4 * s4;
        _covariance[5 * d] += s5 * s5;
        _covariance[6 * d] += s6 * s6;
        _covariance[7 * d] += s7 * s7;
    }

    // Replaces the lower triangle of the 4×4 matrix a with L, where a = L·Lᵀ.
    private static void CholeskyInPlace(Span<double> a)
    {
        const int n = MeasurementSize;
        for (int j = 0; j < n; j++)
        {
            double d = a[(j * n) + j];
            for (int k = 0; k < j; k++)
            {
                d -= a[(j * n) + k] * a[(j * n) + k];
            }

            // S = P + R with R positive definite, so d > 0 up to rounding.
            Debug.Assert(d > 0, "Innovation covariance is not positive definite.");
            d = Math.Sqrt(Math.Max(d, double.Epsilon));
            a[(j * n) + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double v = a[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    v -= a[(i * n) + k] * a[(j * n) + k];
                }

                a[(i * n) + j] = v / d;
            }
        }
    }

    // Solves L·Lᵀ·x = b in place, with L from CholeskyInPlace.
    private static void CholeskySolve(ReadOnlySpan<double> l, Span<double> b)
    {
        const int n = MeasurementSize;
        for (int i = 0; i < n; i++)
        {
            double v = b[i];
            for (int k = 0; k < i; k++)
            {
                v -= l[(i * n) + k] * b[k];
            }

            b[i] = v / l[(i * n) + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double v = b[i];
            for (int k = i + 1; k < n; k++)
            {
                v -= l[(k * n) + i] * b[k];
            }

            b[i] = v / l[(i * n) + i];
        }
    }
}
