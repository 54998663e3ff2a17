import CDNNL

// Memory descriptors and status checks that every oneDNN primitive wrapper here sets up alike.

/// A dense f32 descriptor with a plain format tag.
func plainDescriptor(_ shape: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
    var d = dnnl_memory_desc_t()
    var ds = dnnlDims(shape)
    dnnlCheck(dnnl_memory_desc_init_by_tag(&d, Int32(shape.count), &ds, dnnl_f32, tag), "memory descriptor \(shape)")
    return d
}

/// An f32 descriptor in "any" layout: the primitive picks the one it runs fastest in.
func anyDescriptor(_ shape: [Int]) -> dnnl_memory_desc_t {
    var d = dnnl_memory_desc_t()
    var ds = dnnlDims(shape)
    dnnlCheck(
        dnnl_memory_desc_init_by_tag(&d, Int32(shape.count), &ds, dnnl_f32, dnnl_format_tag_any), "any-format \(shape)")
    return d
}

/// A byte buffer (the scratchpad).
func bytesDescriptor(_ bytes: Int) -> dnnl_memory_desc_t {
    var d = dnnl_memory_desc_t()
    var ds = dnnlDims([bytes])
    dnnlCheck(dnnl_memory_desc_init_by_tag(&d, 1, &ds, dnnl_u8, dnnl_a), "scratchpad descriptor")
    return d
}

/// oneDNN's fixed-size dims array.
func dnnlDims(_ values: [Int]) -> [dnnl_dim_t] {
    values.map { dnnl_dim_t($0) } + Array(repeating: 0, count: Int(DNNL_MAX_NDIMS) - values.count)
}

/// A failed oneDNN call is a programming error here (shapes are checked before), so it stops the process.
func dnnlCheck(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    precondition(status == dnnl_success, "oneDNN: \(what()) failed with status \(status.rawValue)")
}
