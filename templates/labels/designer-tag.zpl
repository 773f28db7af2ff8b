^XA
^PW608
^LL200
^FO12,10^BXN,4,200^FD{{serial}}^FS
^FO120,8^A0N,26,26^FD{{assembly.partNumber}}^FS
^FO120,40^A0N,18,18^FDWO {{workOrder.number}} line {{line.lineNumber}} - {{of}}^FS
^FO120,62^A0N,18,18^FD{{assembly.hose.partNumber}} MWP {{assembly.hose.maxWorkingPressure|quantity}}^FS
^FO120,84^A0N,18,18^FDL {{assembly.length|length}}^FS
^BY2^FO120,110^BCN,60,N,N,N^FD{{serial}}^FS
^XZ
