// ZPL commands that are not part of drawing a label. Two kinds: print settings a format may carry (speed, media type,
// label top) that belong to the bench printer's own setup; and commands that change or control the printer itself
// (settings saved across power cycles, resets, calibration, network and wireless setup, passwords, files on the
// printer). Neither belongs in a template; from the LAN, settings are taken out and control commands refused or
// taken out as the listener is set up.

/** Print settings inside a format: they would change how the bench's own labels print. */
export const PRINT_SETTINGS = /\^PR[\d,A-Z]*|\^MN\w?|\^MT\w|\^MM\w?,?\w?|\^MD-?\d*|\^LT-?\d*|\^PM\w|\^PO\w|\^JM\w/g;

/** Commands that change or control the printer itself. */
export const PRINTER_CONTROL =
  /\^JU\w?|~JR|~WC|\^WD[^\^~]*|~DY[^\^~]*|~EG|\^ID[^\^~]*|~J[A-Z]|~SD\d*|~TA-?\d*|\^HZ\w?|~HB|~HD|~HI|~HM|~HQ\w*|~HS|\^JZ\w?|\^K[A-Z][^\^~]*|\^N[A-Z][^\^~]*|~N[A-Z][^\^~]*|\^W[A-Z][^\^~]*|~W[A-Z]|~P[A-Z]|~RO\d*|\^SC[^\^~]*/g;

/** Both: what a template never keeps. */
export const PRINTER_CHANGING = new RegExp(`${PRINTER_CONTROL.source}|${PRINT_SETTINGS.source}`, 'g');

/** Host questions a printer answers at once: the station answers them itself and never passes them on. */
export const HOST_QUERIES = /~(HS|HI|HM|HD|HB|HU|HH|HQ[A-Z]{2})/g;
