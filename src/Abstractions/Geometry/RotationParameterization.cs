namespace ManifoldKit.Geometry;

/// <summary>How unconstrained encoder outputs become a rotation.</summary>
public enum RotationParameterization
{
    /// <summary>
    /// k(k−1) numbers read as k−1 column vectors, orthonormalised by Gram–Schmidt and completed by the
    /// unit normal with determinant +1. For k = 2 this is an angle from a 2-vector; for k = 3 it is the
    /// continuous 6-D representation of Zhou et al. (2019).
    /// </summary>
    GramSchmidt,

    /// <summary>Four numbers normalised to a unit quaternion (k = 3 only).</summary>
    Quaternion,
}
