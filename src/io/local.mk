### io
