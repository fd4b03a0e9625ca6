package jamftest

// Word lists for the generated fleet. They are functions, not variables, so
// the package holds no mutable state.

func firstNames() []string {
	return []string{"Alice", "Ben", "Chloe", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Isabel", "Jonas",
		"Kara", "Liam", "Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samir", "Tara",
		"Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Aaron", "Beatriz", "Chen", "Dara",
		"Elif", "Felix", "Gita", "Hannah", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nadia"}
}

func lastNames() []string {
	return []string{"Anderson", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
		"Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka",
		"Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Brennan", "Castillo", "Duarte", "Ferreira"}
}

func departments() []string {
	return []string{"Engineering", "Engineering", "Engineering", "Sales", "Sales", "Marketing", "Finance",
		"Human Resources", "Support", "Support", "Design", "Legal", "IT", "Operations"}
}

func buildings() []string {
	return []string{"HQ North", "HQ South", "Austin Office", "London Office", "Remote"}
}

// macModel is a Mac model with its identifier and whether it is Apple silicon.
type macModel struct {
	name, id, short string
	silicon         bool
}

func macModels() []macModel {
	return []macModel{
		{"MacBook Air (13-inch, M2, 2022)", "Mac14,2", "MBA", true},
		{"MacBook Air (13-inch, M3, 2024)", "Mac15,12", "MBA", true},
		{"MacBook Air (13-inch, M4, 2025)", "Mac16,12", "MBA", true},
		{"MacBook Pro (14-inch, M3 Pro, 2023)", "Mac15,6", "MBP", true},
		{"MacBook Pro (14-inch, M4 Pro, 2024)", "Mac16,8", "MBP", true},
		{"MacBook Pro (16-inch, M1 Max, 2021)", "MacBookPro18,2", "MBP", true},
		{"MacBook Pro (13-inch, 2020, Four Thunderbolt 3 ports)", "MacBookPro16,2", "MBP", false},
		{"iMac (24-inch, M3, 2023)", "Mac15,4", "IMAC", true},
		{"Mac mini (M4, 2024)", "Mac16,10", "MINI", true},
		{"Mac Studio (M2 Max, 2023)", "Mac14,13", "STUDIO", true},
	}
}

// osRelease is an OS version with its build and how common it is.
type osRelease struct {
	version, build string
	weight         int
}

func macOSReleases() []osRelease {
	return []osRelease{
		{"26.1", "25B78", 38}, {"26.0.1", "25A362", 14}, {"15.7.2", "24G325", 18},
		{"15.6.1", "24G90", 9}, {"14.8.2", "23J126", 9}, {"14.7.6", "23H626", 5}, {"13.7.8", "22H730", 7},
	}
}

func iOSReleases() []osRelease {
	return []osRelease{
		{"26.1", "23B85", 40}, {"26.0.1", "23A355", 15}, {"18.7.2", "22H124", 22},
		{"18.6.2", "22G100", 10}, {"17.7.10", "21H450", 8}, {"16.7.12", "20H364", 5},
	}
}

func tvOSReleases() []osRelease {
	return []osRelease{{"26.1", "23J582", 60}, {"18.6", "22M84", 40}}
}

// mobileModel is an iOS, iPadOS or tvOS model.
type mobileModel struct {
	name, id, short, deviceType, clientType string
}

func mobileModels() []mobileModel {
	return []mobileModel{
		{"iPad (10th generation)", "iPad13,18", "IPAD", "iOS", "MOBILE_DEVICE"},
		{"iPad Air 11-inch (M2)", "iPad14,8", "IPAD", "iOS", "MOBILE_DEVICE"},
		{"iPad Pro 11-inch (M4)", "iPad16,3", "IPAD", "iOS", "MOBILE_DEVICE"},
		{"iPad (9th generation)", "iPad12,1", "IPAD", "iOS", "MOBILE_DEVICE"},
		{"iPhone 15", "iPhone15,4", "IPHONE", "iOS", "MOBILE_DEVICE"},
		{"iPhone 16 Pro", "iPhone17,1", "IPHONE", "iOS", "MOBILE_DEVICE"},
		{"iPhone 14", "iPhone14,7", "IPHONE", "iOS", "MOBILE_DEVICE"},
		{"iPhone SE (3rd generation)", "iPhone14,6", "IPHONE", "iOS", "MOBILE_DEVICE"},
		{"Apple TV 4K (3rd generation)", "AppleTV14,1", "ATV", "tvOS", "TV"},
	}
}
